#!/usr/bin/env node
// recmesh's gather-reduce kernel against PyTorch's nn.EmbeddingBag on the same shape, in one run:
// for each thread count, alternates `recmesh bench kernel` and scripts/bench/embeddingbag_torch.py
// `--repeats` times (so both see the same machine load), then prints the median lookups/s of each
// and the ratio. Not part of CI: needs PyTorch (Debian: apt-get install python3-torch).
//
//   node scripts/bench/kernel-vs-torch.mjs [--python /usr/bin/python3] [--repeats 5]
//       [--threads 1,2] [--rows 1000000] [--dim 64] [--bags 1024] [--pool 80] [--dtype fp32]
// The last line of stdout is one JSON object with every figure.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: o } = parseArgs({
  options: {
    python: { type: 'string', default: '/usr/bin/python3' },
    repeats: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1,2' },
    rows: { type: 'string', default: '1000000' },
    dim: { type: 'string', default: '64' },
    bags: { type: 'string', default: '1024' },
    pool: { type: 'string', default: '80' },
    dtype: { type: 'string', default: 'fp32' },
    iterations: { type: 'string', default: '200' },
  },
});
const shape = ['--rows', o.rows, '--dim', o.dim, '--bags', o.bags, '--pool', o.pool];
const common = [...shape, '--dtype', o.dtype, '--iterations', o.iterations];

function lastJson(label, result) {
  if (result.status !== 0)
    throw new Error(`${label} failed (${result.status}): ${result.stderr || result.error}`);
  const line = result.stdout.trim().split('\n').at(-1);
  return JSON.parse(line);
}

function recmesh(threads) {
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'packages/cli/bin/recmesh.js'),
      'bench',
      'kernel',
      ...common,
      '--threads',
      threads,
      '--json',
    ],
    { encoding: 'utf8' },
  );
  return lastJson('recmesh bench kernel', r);
}

function torch(threads) {
  const r = spawnSync(
    o.python,
    [join(root, 'scripts/bench/embeddingbag_torch.py'), ...common, '--threads', threads],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: threads } },
  );
  return lastJson('embeddingbag_torch.py', r);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const m = (x) => Math.round(x / 1e5) / 10;

const summary = {
  shape: { rows: +o.rows, dim: +o.dim, bags: +o.bags, pool: +o.pool, dtype: o.dtype },
  runs: [],
};
for (const threads of o.threads.split(',')) {
  const ours = [];
  const theirs = [];
  // The 1-minute load average after each pair: other work on the machine skews both figures.
  const loads = [];
  let kernel = '';
  let torchKernel = '';
  for (let i = 0; i < Number(o.repeats); i++) {
    const a = recmesh(threads);
    const b = torch(threads);
    kernel = a.kernel;
    torchKernel = b.kernel;
    ours.push(a.lookups_per_s);
    theirs.push(b.lookups_per_s);
    loads.push(Math.round(loadavg()[0] * 100) / 100);
    process.stderr.write(
      `threads ${threads} run ${i + 1}: recmesh ${m(a.lookups_per_s)}M/s, torch ${m(b.lookups_per_s)}M/s (load average ${loads.at(-1)})\n`,
    );
  }
  const row = {
    threads: Number(threads),
    recmesh_kernel: kernel,
    torch_kernel: torchKernel,
    recmesh_lookups_per_s: ours,
    torch_lookups_per_s: theirs,
    recmesh_median: median(ours),
    torch_median: median(theirs),
    ratio: median(ours) / median(theirs),
    load_average: loads,
  };
  summary.runs.push(row);
  process.stdout.write(
    `threads ${threads}: recmesh ${kernel} median ${m(row.recmesh_median)}M lookups/s ` +
      `(${ours.map(m).join(', ')}), torch median ${m(row.torch_median)}M (${theirs.map(m).join(', ')}), ` +
      `ratio ${row.ratio.toFixed(2)}\n`,
  );
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
