import {
  encodeFp16,
  quantizeFused8BitRowwise,
  rowBytes,
  type Dtype,
  type PoolingMode,
} from '@recmesh/backend';
import { invalidArgument } from '@recmesh/errors';
import { CpuEmbeddingBackend, type KernelChoice } from './embedding-backend';

export interface KernelBenchOptions {
  readonly rows: number;
  readonly dim: number;
  readonly bags: number;
  /** Indices per bag (every bag has exactly this many). */
  readonly pool: number;
  /** Threads one batch is spread over. */
  readonly threads: number;
  readonly dtype: Dtype;
  readonly mode: PoolingMode;
  /** Per-index weights (SparseLengthsWeightedSum). */
  readonly weighted: boolean;
  /** Timed batches. */
  readonly iterations: number;
  /** Untimed batches first (page faults, caches, threadpool start). */
  readonly warmup: number;
  /**
   * Distinct random batches, used round-robin: one batch touches ~bags x pool rows, so repeating
   * a single batch would serve it from the last-level cache and overstate the speed.
   */
  readonly batches: number;
  readonly seed: number;
  readonly kernel: KernelChoice;
}

export const KERNEL_BENCH_DEFAULTS: KernelBenchOptions = {
  rows: 1_000_000,
  dim: 64,
  bags: 1024,
  pool: 80,
  threads: 1,
  dtype: 'fp32',
  mode: 'sum',
  weighted: false,
  iterations: 200,
  warmup: 20,
  batches: 16,
  seed: 1,
  kernel: 'auto',
};

export interface KernelBenchResult {
  readonly kernel: string;
  readonly dtype: Dtype;
  readonly mode: PoolingMode;
  readonly weighted: boolean;
  readonly rows: number;
  readonly dim: number;
  readonly bags: number;
  readonly pool: number;
  readonly threads: number;
  readonly iterations: number;
  readonly lookups_per_s: number;
  /** Gathered bytes per second: lookups x dim x bytes per element. */
  readonly gb_per_s: number;
  /** Stored bytes per second, int8's per-row scale and bias included. */
  readonly row_gb_per_s: number;
  readonly ms_per_batch: number;
  readonly p50_ms: number;
  readonly table_bytes: number;
}

/** xorshift32: fast, seeded, good enough for uniform row ids and table values. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function positiveInt(field: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1))
    throw invalidArgument(field, value, 'must be an integer >= 1');
}

/**
 * Times the cpu backend's gatherReduce on a random [rows][dim] table and `batches` random batches
 * of `bags` bags of `pool` uniform ids, the protocol of scripts/bench/embeddingbag_torch.py.
 */
export async function benchKernel(
  options: Partial<KernelBenchOptions> = {},
  log: (line: string) => void = () => undefined,
): Promise<KernelBenchResult> {
  const o = { ...KERNEL_BENCH_DEFAULTS, ...options };
  for (const f of ['rows', 'dim', 'bags', 'pool', 'threads', 'iterations', 'batches'] as const)
    positiveInt(f, o[f]);
  if (o.rows > 2 ** 31 - 1) throw invalidArgument('rows', o.rows, 'row ids are int32');
  if (o.bags * o.pool > 2 ** 31 - 1)
    throw invalidArgument('bags', o.bags, `bags x pool must fit int32 offsets`);
  const backend = new CpuEmbeddingBackend({
    kernel: o.kernel,
    threads: o.threads,
    minIndicesPerThread: 1,
  });
  const caps = backend.capabilities();
  if (!caps.available)
    throw new Error(`kernel ${o.kernel} is unavailable: ${caps.reason ?? 'no reason given'}`);

  const rand = xorshift(o.seed);
  const uniform = () => rand() / 4294967296 - 0.5;
  log(`bench kernel: filling a ${o.dtype} table of ${o.rows} x ${o.dim}`);
  const table = backend.allocateTable(o.dtype, o.rows, o.dim);
  const chunkRows = 65_536;
  const chunk = new Float32Array(chunkRows * o.dim);
  for (let r0 = 0; r0 < o.rows; r0 += chunkRows) {
    const n = Math.min(chunkRows, o.rows - r0);
    const values = chunk.subarray(0, n * o.dim);
    for (let i = 0; i < values.length; i++) values[i] = uniform();
    if (table.dtype === 'fp32') table.data.set(values, r0 * o.dim);
    else if (table.dtype === 'fp16')
      encodeFp16(values, table.data.subarray(r0 * o.dim, (r0 + n) * o.dim));
    else
      quantizeFused8BitRowwise(
        values,
        o.dim,
        table.data.subarray(r0 * (o.dim + 8), (r0 + n) * (o.dim + 8)),
      );
  }
  const held = backend.loadTable(table);

  const n = o.bags * o.pool;
  const batches = Array.from({ length: o.batches }, () => {
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) indices[i] = rand() % o.rows;
    return indices;
  });
  const offsets = new Int32Array(o.bags);
  for (let b = 0; b < o.bags; b++) offsets[b] = b * o.pool;
  const weights = o.weighted ? Float32Array.from({ length: n }, () => uniform()) : undefined;
  const out = new Float32Array(o.bags * o.dim);
  const run = (i: number) =>
    backend.gatherReduce(
      held,
      {
        indices: batches[i % batches.length] as Int32Array,
        offsets,
        mode: o.mode,
        ...(weights === undefined ? {} : { weights }),
      },
      out,
    );

  log(`bench kernel: ${caps.kernel}, ${o.threads} thread(s), ${o.warmup} warm-up batches`);
  for (let i = 0; i < o.warmup; i++) await run(i);
  const times = new Float64Array(o.iterations);
  const started = performance.now();
  for (let i = 0; i < o.iterations; i++) {
    const t0 = performance.now();
    await run(i);
    times[i] = performance.now() - t0;
  }
  const seconds = (performance.now() - started) / 1000;
  const lookups = o.iterations * n;
  const elementBytes = o.dtype === 'fp32' ? 4 : o.dtype === 'fp16' ? 2 : 1;
  times.sort();
  return {
    kernel: caps.kernel,
    dtype: o.dtype,
    mode: o.mode,
    weighted: o.weighted,
    rows: o.rows,
    dim: o.dim,
    bags: o.bags,
    pool: o.pool,
    threads: o.threads,
    iterations: o.iterations,
    lookups_per_s: lookups / seconds,
    gb_per_s: (lookups * o.dim * elementBytes) / seconds / 1e9,
    row_gb_per_s: (lookups * rowBytes(o.dtype, o.dim)) / seconds / 1e9,
    ms_per_batch: (seconds * 1000) / o.iterations,
    p50_ms: times[Math.floor(o.iterations / 2)] as number,
    table_bytes: held.bytes,
  };
}
