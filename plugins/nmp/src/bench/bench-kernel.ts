import type { Dtype, EmbeddingBackend, PoolingMode } from '@recmesh/backend';
import { invalidArgument, isRecmeshError } from '@recmesh/errors';
import { CpuEmbeddingBackend } from '@recmesh/plugin-cpu';
import { parseNmpConfig, type NmpConfigInput } from '../config/parse';
import { dynamicEnergy, ENERGY_TERMS, type EnergyBreakdown } from '../model/energy';
import type { Job } from '../model/job';
import { NmpModel, rowBytesOf, type BatchModel } from '../model/nmp-model';
import { randomTable } from './table-data';
import { ZipfSampler } from './zipf';

/** The shape of `recmesh bench kernel`, plus the locality and the hardware. */
export interface NmpBenchOptions {
  readonly rows: number;
  readonly dim: number;
  /** Bags per batch (per table). */
  readonly bags: number;
  /** Indices per bag. */
  readonly pool: number;
  readonly dtype?: Dtype;
  /** Zipf exponent of row popularity; 0 (default) is uniform, as `recmesh bench kernel` draws. */
  readonly zipf?: number;
  /** Co-located tables: each batch is one job per table, run as one epoch (default 1). */
  readonly tables?: number;
  /** Batches measured (default 4), after `warmup` (default 1) that fill caches and rows. */
  readonly batches?: number;
  readonly warmup?: number;
  readonly mode?: PoolingMode;
  readonly weighted?: boolean;
  readonly seed?: number;
  /** Hardware overrides; everything else keeps its default (docs/nmp-calibration.md). */
  readonly config?: NmpConfigInput;
  /** Time the exact results on the CPU backend (default true). */
  readonly measureCpu?: boolean;
  /**
   * The backend whose exact results are timed (default: a new CpuEmbeddingBackend); pass one
   * set up as `recmesh bench kernel` sets its own (threads, ...). It is not disposed.
   */
  readonly cpu?: EmbeddingBackend;
}

type Breakdown = Record<keyof EnergyBreakdown, number>;

export interface NmpBenchResult {
  readonly backend: 'nmp';
  /** The CPU kernel that computes the exact results. */
  readonly kernel: string;
  readonly rows: number;
  readonly dim: number;
  readonly bags: number;
  readonly pool: number;
  readonly dtype: Dtype;
  readonly zipf: number;
  readonly tables: number;
  readonly batches: number;
  /** Measured here: lookups a second and gathered GB a second of the exact CPU computation. */
  readonly lookups_per_s: number | null;
  readonly gb_per_s: number | null;
  /** Why the CPU figures are missing (the CPU kernel cannot hold this dtype yet, ...). */
  readonly cpu_error?: string;
  /** Host memory system latency / NMP latency for the same batches. */
  readonly modelled_speedup: number;
  /** 1 - NMP / host energy the lookups cause (commands, bits moved, cache, compute). */
  readonly modelled_energy_saving: number;
  /** The same with DRAM standby, refresh and NMP static power charged for each busy time. */
  readonly modelled_energy_saving_busy: number;
  /** Lookups served by the RankCaches, in [0, 1]. */
  readonly cache_hit_rate: number;
  readonly modelled_latency_s: number;
  readonly host_modelled_latency_s: number;
  readonly modelled_lookups_per_s: number;
  readonly host_modelled_lookups_per_s: number;
  readonly modelled_energy_j: number;
  readonly host_modelled_energy_j: number;
  /** Per batch, joules. */
  readonly energy_breakdown: { readonly nmp: Breakdown; readonly host: Breakdown };
  readonly row_buffer_hit_rate: { readonly nmp: number; readonly host: number };
  readonly config: Readonly<Record<string, unknown>>;
}

function checkShape(o: NmpBenchOptions): void {
  const positive = (field: string, v: number | undefined, min = 1) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) {
      throw invalidArgument(field, v, `must be an integer >= ${min}`);
    }
  };
  positive('rows', o.rows);
  positive('dim', o.dim);
  positive('bags', o.bags);
  positive('pool', o.pool, 0);
  positive('tables', o.tables);
  positive('batches', o.batches);
  positive('warmup', o.warmup, 0);
  if (o.zipf !== undefined && !(o.zipf >= 0 && o.zipf <= 5)) {
    throw invalidArgument('zipf', o.zipf, 'must be in [0, 5]');
  }
}

/** Times the exact computation of `batches` on the CPU backend; null figures when it cannot. */
async function measureCpu(
  o: Required<Pick<NmpBenchOptions, 'rows' | 'dim' | 'dtype' | 'mode' | 'weighted' | 'seed'>>,
  batches: readonly (readonly Job[])[],
  given: EmbeddingBackend | undefined,
): Promise<{ kernel: string; seconds: number | null; error?: string }> {
  const cpu: EmbeddingBackend = given ?? new CpuEmbeddingBackend();
  const kernel = cpu.capabilities().kernel;
  try {
    const table = cpu.loadTable(randomTable(o.rows, o.dim, o.dtype, o.seed));
    let seconds = 0;
    for (const jobs of batches) {
      for (const job of jobs) {
        const out = new Float32Array(job.offsets.length * o.dim);
        const weights = o.weighted ? new Float32Array(job.indices.length).fill(0.5) : undefined;
        const batch = { indices: job.indices, offsets: job.offsets, mode: o.mode };
        const started = performance.now();
        await cpu.gatherReduce(table, weights === undefined ? batch : { ...batch, weights }, out);
        seconds += (performance.now() - started) / 1000;
      }
    }
    return { kernel, seconds };
  } catch (err) {
    if (!isRecmeshError(err)) throw err;
    return { kernel, seconds: null, error: err.message };
  } finally {
    if (given === undefined) await cpu.dispose();
  }
}

function perBatch(
  models: readonly BatchModel[],
  pick: (b: BatchModel) => EnergyBreakdown,
  n: number,
) {
  const out = Object.fromEntries(ENERGY_TERMS.map((t) => [t, 0])) as Breakdown;
  for (const b of models) for (const t of ENERGY_TERMS) out[t] += pick(b)[t] / n;
  return out;
}

/**
 * `recmesh bench kernel --backend nmp`: measures the exact CPU computation of the batches and
 * runs the same batches through the hardware model at the given (default) configuration.
 * Every table has the same shape; batch indices are Zipf(`zipf`) over the rows.
 */
export async function benchNmpKernel(options: NmpBenchOptions): Promise<NmpBenchResult> {
  checkShape(options);
  const o = {
    dtype: 'fp32' as Dtype,
    zipf: 0,
    tables: 1,
    batches: 4,
    warmup: 1,
    mode: 'sum' as PoolingMode,
    weighted: false,
    seed: 1,
    measureCpu: true,
    ...options,
  };
  const config = parseNmpConfig(o.config ?? {}, 'config');
  const model = new NmpModel(config);
  const layouts = Array.from({ length: o.tables }, () => model.place(o.rows, o.dim, o.dtype));
  const samplers = layouts.map((_, t) => new ZipfSampler(o.rows, o.zipf, o.seed + 7919 * t));
  const epochs: Job[][] = [];
  for (let b = 0; b < o.warmup + o.batches; b++) {
    epochs.push(
      layouts.map((table, t) => ({ table, ...(samplers[t] as ZipfSampler).bags(o.bags, o.pool) })),
    );
  }
  const models: BatchModel[] = [];
  let nmpS = 0;
  let hostS = 0;
  for (const [b, jobs] of epochs.entries()) {
    const epoch = model.run(jobs);
    if (b < o.warmup) continue;
    nmpS += epoch.nmpLatencyS;
    hostS += epoch.hostLatencyS;
    models.push(...epoch.batches);
  }
  const measured = epochs.slice(o.warmup);
  const cpu = o.measureCpu
    ? await measureCpu(o, measured, options.cpu)
    : {
        kernel: (options.cpu ?? new CpuEmbeddingBackend()).capabilities().kernel,
        seconds: null,
        error: 'not measured (measureCpu: false)',
      };

  const sum = (f: (b: BatchModel) => number) => models.reduce((a, b) => a + f(b), 0);
  const lookups = sum((b) => b.lookups);
  const nmpJ = sum((b) => b.nmpEnergyJ);
  const hostJ = sum((b) => b.hostEnergyJ);
  const nmpDyn = sum((b) => dynamicEnergy(b.nmpEnergy));
  const hostDyn = sum((b) => dynamicEnergy(b.hostEnergy));
  const rowHits = (pick: (b: BatchModel) => BatchModel['nmpDram']) => {
    const hits = sum((b) => pick(b).rowHits);
    const all = sum((b) => pick(b).rowHits + pick(b).rowMisses + pick(b).rowConflicts);
    return all > 0 ? hits / all : 0;
  };
  const t = config.topology;
  return {
    backend: 'nmp',
    kernel: cpu.kernel,
    rows: o.rows,
    dim: o.dim,
    bags: o.bags,
    pool: o.pool,
    dtype: o.dtype,
    zipf: o.zipf,
    tables: o.tables,
    batches: o.batches,
    lookups_per_s: cpu.seconds === null ? null : lookups / cpu.seconds,
    gb_per_s:
      cpu.seconds === null ? null : (lookups * rowBytesOf(o.dtype, o.dim)) / cpu.seconds / 1e9,
    ...(cpu.error === undefined ? {} : { cpu_error: cpu.error }),
    modelled_speedup: nmpS > 0 ? hostS / nmpS : 0,
    modelled_energy_saving: hostDyn > 0 ? 1 - nmpDyn / hostDyn : 0,
    modelled_energy_saving_busy: hostJ > 0 ? 1 - nmpJ / hostJ : 0,
    cache_hit_rate: lookups > 0 ? sum((b) => b.cacheHits) / lookups : 0,
    modelled_latency_s: nmpS / o.batches,
    host_modelled_latency_s: hostS / o.batches,
    modelled_lookups_per_s: nmpS > 0 ? lookups / nmpS : 0,
    host_modelled_lookups_per_s: hostS > 0 ? lookups / hostS : 0,
    modelled_energy_j: nmpJ / o.batches,
    host_modelled_energy_j: hostJ / o.batches,
    energy_breakdown: {
      nmp: perBatch(models, (b) => b.nmpEnergy, o.batches),
      host: perBatch(models, (b) => b.hostEnergy, o.batches),
    },
    row_buffer_hit_rate: { nmp: rowHits((b) => b.nmpDram), host: rowHits((b) => b.hostDram) },
    config: {
      memory: `DDR4, tCK ${config.dram.tCKns} ns, CL-tRCD-tRP ${config.dram.CL}-${config.dram.tRCD}-${config.dram.tRP}`,
      channels: t.channels,
      dimmsPerChannel: t.dimmsPerChannel,
      ranksPerDimm: t.ranksPerDimm,
      ranks: model.machine.ranks,
      cacheKiB: config.cache.kib,
      cachePolicy: config.cache.policy,
      tableAware: config.scheduling.tableAware,
      hotEntryProfiling: config.profiling.enabled,
      hostCacheKiB: config.host.cacheKiB,
    },
  };
}
