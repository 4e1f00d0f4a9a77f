// Throughput through the plugin's contract (what a shard or worker gets), next to onnxruntime's
// CPU provider on the same machine for the dense graphs. A benchmark, not a test: it prints the
// figures and writes them as JSON.
//
//   node --import tsx plugins/cuda/scripts/node-bench.ts [--json PATH] [--cpu-only] [--measure-s S]
//
// Exit status: 0 measured, 3 no usable GPU (the JSON says why; --cpu-only still measures the CPU).
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  denseBackendOf,
  embeddingBackendOf,
  loadBackend,
  type DenseBackend,
  type DenseSession,
  type EmbeddingBackend,
} from '@recmesh/backend';
import { OrtCpuDenseBackend } from '@recmesh/plugin-cpu';
import { denseGraphOf, denseInputs } from '../test/support/graphs';
import { randomBags, randomTable } from '../test/support/tables';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const jsonPath = option('--json');
const measureS = Number(option('--measure-s') ?? '1');
const cpuOnly = args.includes('--cpu-only');

/** Calls `run` with `concurrency` in flight for about measureS seconds; calls per second. */
async function rate(concurrency: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < concurrency; i++) await run(); // warm-up: buffers, sessions
  const started = performance.now();
  const deadline = started + measureS * 1000;
  let calls = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await run();
        calls++;
      }
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

async function denseRate(session: DenseSession, model: string, batch: number, concurrency: number) {
  const graph = denseGraphOf(model);
  const { dense, embeddings } = denseInputs(graph, batch, 1);
  return batch * (await rate(concurrency, () => session.run(dense, embeddings, batch)));
}

async function denseFigures(backend: DenseBackend, threads: number, concurrency: number) {
  const figures: Record<string, number>[] = [];
  for (const model of ['rmc1', 'rmc3']) {
    const session = await backend.createSession(denseGraphOf(model), { intraOpThreads: threads });
    for (const batch of [256, 1024, 4096])
      figures.push({ batch, samplesPerS: await denseRate(session, model, batch, concurrency) });
    figures.slice(-3).forEach((f) => Object.assign(f, { model }));
    await session.release();
  }
  return figures;
}

async function main(): Promise<number> {
  const report: Record<string, unknown> = { tool: 'recmesh-cuda node-bench', measureS };
  const cpuThreads = availableParallelism();
  report.cpu = {
    threads: cpuThreads,
    dense: await denseFigures(new OrtCpuDenseBackend(), cpuThreads, 1),
  };
  let code = 0;
  if (!cpuOnly) {
    const container = await loadBackend('cuda', (id) => import(id));
    let embedding: EmbeddingBackend | undefined;
    let dense: DenseBackend | undefined;
    try {
      embedding = embeddingBackendOf(container);
      dense = denseBackendOf(container);
    } catch (err) {
      report.available = false;
      report.reason = (err as Error).message;
      code = 3;
    }
    if (embedding !== undefined && dense !== undefined) {
      report.available = true;
      report.capabilities = { embedding: embedding.capabilities(), dense: dense.capabilities() };
      const gather = [];
      const rows = 1_000_000;
      const dim = 64;
      for (const dtype of ['fp32', 'fp16', 'int8'] as const) {
        const table = embedding.loadTable(randomTable(rows, dim, dtype, 1));
        const batch = randomBags(rows, 2048, 160, 'sum', false, 2); // pool 80 on average
        const out = new Float32Array(2048 * dim);
        const backend = embedding;
        const calls = await rate(8, () => backend.gatherReduce(table, batch, out));
        gather.push({ dtype, rows, dim, bags: 2048, lookupsPerS: calls * batch.indices.length });
      }
      await embedding.dispose();
      report.gpu = { gather, dense: await denseFigures(dense, 1, 4) };
      const at = (figures: unknown, model: string) =>
        (figures as { model: string; batch: number; samplesPerS: number }[]).find(
          (f) => f.model === model && f.batch === 1024,
        )?.samplesPerS ?? 0;
      const gpu = at((report.gpu as { dense: unknown }).dense, 'rmc3');
      const cpu = at((report.cpu as { dense: unknown }).dense, 'rmc3');
      report.rmc3SpeedupAtBatch1024 = {
        gpu,
        cpu,
        value: gpu / cpu,
        target: 10,
        pass: gpu >= 10 * cpu,
      };
    }
  }
  const text = JSON.stringify(report, null, 2);
  if (jsonPath !== undefined) writeFileSync(jsonPath, `${text}\n`);
  console.log(text);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
