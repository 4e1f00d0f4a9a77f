#!/usr/bin/env node
// recmesh's dense graph (onnxruntime) against PyTorch on the same MLPs, batch and threads, in one
// run: alternates `recmesh bench dense` and scripts/bench/dense_torch.py `--repeats` times per
// (batch, threads), then prints the medians and the ratio. Not part of CI (needs PyTorch).
//
//   node scripts/bench/dense-vs-torch.mjs [--python /usr/bin/python3] [--model rmc3]
//       [--batches 1,16,256,1024] [--threads 1,2] [--repeats 3]
// The last line of stdout is one JSON object with every figure.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { resolveModel } = require(join(root, 'packages/models'));
const { values: o } = parseArgs({
  options: {
    python: { type: 'string', default: '/usr/bin/python3' },
    model: { type: 'string', default: 'rmc3' },
    batches: { type: 'string', default: '256,1024' },
    threads: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
    iterations: { type: 'string', default: '100' },
  },
});
const spec = resolveModel(o.model, { rowScale: 1e-6, seed: 1 });
if (spec.architecture.kind !== 'dlrm')
  throw new Error(`${o.model} is not a DLRM: dense_torch.py builds DLRMs`);
const torchSpec = JSON.stringify({
  dense_features: spec.denseFeatures,
  bottom: spec.architecture.bottomMlp,
  top: spec.architecture.topMlp,
  tables: spec.tables.length,
  dim: spec.dim,
  interaction: spec.architecture.interaction,
});

const lastJson = (label, r) => {
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const summary = { model: o.model, runs: [] };
for (const threads of o.threads.split(',')) {
  for (const batch of o.batches.split(',')) {
    const ours = [];
    const theirs = [];
    const load = [];
    for (let i = 0; i < Number(o.repeats); i++) {
      const common = ['--batch', batch, '--threads', threads, '--iterations', o.iterations];
      ours.push(
        lastJson(
          'recmesh bench dense',
          spawnSync(
            process.execPath,
            [
              join(root, 'packages/cli/bin/recmesh.js'),
              'bench',
              'dense',
              '--model',
              o.model,
              ...common,
              '--json',
            ],
            { encoding: 'utf8' },
          ),
        ).samples_per_s,
      );
      theirs.push(
        lastJson(
          'dense_torch.py',
          spawnSync(
            o.python,
            [join(root, 'scripts/bench/dense_torch.py'), '--spec', torchSpec, ...common],
            {
              encoding: 'utf8',
              env: { ...process.env, OMP_NUM_THREADS: threads },
            },
          ),
        ).samples_per_s,
      );
      load.push(loadavg()[0]);
    }
    const run = {
      batch: Number(batch),
      threads: Number(threads),
      recmesh_samples_per_s: Math.round(median(ours)),
      torch_samples_per_s: Math.round(median(theirs)),
      ratio: Math.round((median(ours) / median(theirs)) * 100) / 100,
      recmesh_runs: ours.map(Math.round),
      torch_runs: theirs.map(Math.round),
      load_average: load.map((x) => Math.round(x * 10) / 10),
    };
    summary.runs.push(run);
    console.log(
      `${o.model} batch ${batch}, ${threads} thread(s): recmesh ${run.recmesh_samples_per_s} vs torch ${run.torch_samples_per_s} samples/s = ${run.ratio}x (load ${run.load_average.join(', ')})`,
    );
  }
}
console.log(JSON.stringify(summary));
