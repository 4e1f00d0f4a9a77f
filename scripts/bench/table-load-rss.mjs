#!/usr/bin/env node
// Peak memory of loading one large table from a .npy file the way a shard does (header check,
// backend-allocated memory outside the JS heap, chunked reads with progress). Writes the file
// first if it is missing (default: 2 GB of float32, 64 wide, in the OS temp folder), then loads it
// in a child process whose JS heap is capped far below the table, and reports the child's peak
// RSS against the table's size. Not part of CI.
//
//   node scripts/bench/table-load-rss.mjs [--bytes 2e9] [--dim 64] [--file path.npy] [--dtype fp32]
// The last line of stdout is one JSON object.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    bytes: { type: 'string', default: '2e9' },
    dim: { type: 'string', default: '64' },
    file: { type: 'string' },
    dtype: { type: 'string', default: 'fp32' },
    child: { type: 'boolean', default: false },
    'heap-mb': { type: 'string', default: '256' },
  },
});
const dim = Number(o.dim);
const rows = Math.floor(Number(o.bytes) / (dim * 4));
const file = o.file ?? join(tmpdir(), `recmesh-rss-${rows}x${dim}.npy`);

async function writeTable() {
  const { writeNpy } = await import('@recmesh/tables');
  const chunk = new Float32Array(65_536 * dim);
  await writeNpy(file, {
    dtype: 'f32',
    shape: [rows, dim],
    chunk: (row, count) => {
      const values = chunk.subarray(0, count * dim);
      for (let i = 0; i < values.length; i++) values[i] = ((row * dim + i) % 9973) * 1e-4;
      return new Uint8Array(values.buffer, 0, values.byteLength);
    },
  });
}

async function child() {
  const { openNpy, fileRows, loadRows } = await import('@recmesh/tables');
  const { CpuEmbeddingBackend } = await import('@recmesh/plugin-cpu');
  const backend = new CpuEmbeddingBackend();
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  const table = openNpy(file);
  const target = backend.allocateTable(o.dtype, table.rows, table.dim);
  let next = 0;
  await loadRows(fileRows(table), 0, table.rows, target, {
    onProgress: (done, total) => {
      const percent = Math.floor((100 * done) / total);
      if (percent >= next) {
        process.stderr.write(`loading ${file}: ${percent}%\n`);
        next = percent + 10;
      }
    },
  });
  const held = backend.loadTable(target);
  const seconds = (performance.now() - started) / 1000;
  const out = new Float32Array(table.dim);
  await backend.gatherReduce(
    held,
    { indices: Int32Array.of(0, table.rows - 1), offsets: Int32Array.of(0), mode: 'sum' },
    out,
  );
  const rssAfter = process.memoryUsage.rss();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `${JSON.stringify({
      file,
      dtype: o.dtype,
      table_bytes: held.bytes,
      rss_before: rssBefore,
      rss_after: rssAfter,
      max_rss: maxRss,
      max_rss_over_table: maxRss / held.bytes,
      heap_limit_mb: Number(o['heap-mb']),
      load_s: seconds,
      gb_per_s: held.bytes / seconds / 1e9,
      kernel: backend.capabilities().kernel,
    })}\n`,
  );
}

if (o.child) {
  await child();
} else {
  if (!existsSync(file) || statSync(file).size < rows * dim * 4) {
    process.stderr.write(`writing ${file} (${rows} x ${dim} float32)\n`);
    await writeTable();
  }
  const r = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${o['heap-mb']}`,
      import.meta.filename,
      '--child',
      '--file',
      file,
      '--dtype',
      o.dtype,
      '--heap-mb',
      o['heap-mb'],
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1));
  process.stdout.write(
    `${(result.table_bytes / 1e9).toFixed(3)} GB ${result.dtype} table: peak RSS ${(result.max_rss / 1e9).toFixed(3)} GB ` +
      `(${result.max_rss_over_table.toFixed(3)}x the table), JS heap capped at ${result.heap_limit_mb} MB, ` +
      `loaded in ${result.load_s.toFixed(1)} s (${result.gb_per_s.toFixed(2)} GB/s)\n${JSON.stringify(result)}\n`,
  );
}
