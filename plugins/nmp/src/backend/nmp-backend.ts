import {
  type BagBatch,
  type CapabilityReport,
  type Dtype,
  type EmbeddingBackend,
  type EmbeddingTable,
  type GatherReport,
  type TableData,
} from '@recmesh/backend';
import { RecmeshError } from '@recmesh/errors';
import { CpuEmbeddingBackend } from '@recmesh/plugin-cpu';
import type { NmpConfig } from '../config/defaults';
import type { TableLayout } from '../model/address-map';
import type { Job } from '../model/job';
import { NmpModel, type BatchModel, type EpochModel } from '../model/nmp-model';
import { BatchStats } from './batch-stats';
import { DevicePacer } from './pacer';

interface NmpTable extends EmbeddingTable {
  /** The table as the CPU backend holds it: it computes the exact results. */
  readonly exact: EmbeddingTable;
  /** Where the hardware model places it. */
  readonly layout: TableLayout;
}

function isNmpTable(table: EmbeddingTable): table is NmpTable {
  return 'layout' in table && 'exact' in table;
}

function reportOf(b: BatchModel): GatherReport {
  return {
    modelledLatencyS: b.nmpLatencyS,
    modelledEnergyJ: b.nmpEnergyJ,
    baselineLatencyS: b.hostLatencyS,
    baselineEnergyJ: b.hostEnergyJ,
    cacheHitRate: b.cacheHitRate,
  };
}

/**
 * RecNMP, emulated: the CPU backend computes every result exactly, and every batch also runs
 * through the hardware model (RecNMP and the plain host memory system), whose latency, energy
 * and cache hit rate the batch's GatherReport, the metrics and the capability report carry.
 * Paced, a batch resolves only when the modelled hardware would have finished it.
 */
export class NmpEmbeddingBackend implements EmbeddingBackend {
  readonly name = 'nmp';
  private readonly model: NmpModel;
  private readonly pacer: DevicePacer | undefined;
  private readonly stats = new BatchStats();

  constructor(
    readonly config: NmpConfig,
    private readonly exact: EmbeddingBackend = new CpuEmbeddingBackend(),
  ) {
    this.model = new NmpModel(config);
    this.pacer = config.paced ? new DevicePacer((jobs) => this.runEpoch(jobs)) : undefined;
  }

  private runEpoch(jobs: readonly Job[]): EpochModel {
    const epoch = this.model.run(jobs);
    this.stats.recordEpoch(epoch);
    return epoch;
  }

  capabilities(): CapabilityReport {
    const cpu = this.exact.capabilities();
    const c = this.config;
    return {
      backend: this.name,
      available: cpu.available,
      ...(cpu.reason === undefined ? {} : { reason: `exact kernel: ${cpu.reason}` }),
      kernel: `recnmp-model+${cpu.kernel}`,
      threads: cpu.threads,
      details: {
        emulates:
          'RecNMP (Ke et al., ISCA 2020): rank-NMP units, RankCache, table-aware packet scheduling, hot-entry profiling',
        exactResults: cpu.kernel,
        paced: c.paced,
        ranks: this.model.machine.ranks,
        config: c,
        modelled: this.stats.summary(),
      },
    };
  }

  /** The exact (CPU) side holds the rows, so it lays out their memory. */
  allocateTable(dtype: Dtype, rows: number, dim: number): TableData {
    return this.exact.allocateTable(dtype, rows, dim);
  }

  loadTable(table: TableData): EmbeddingTable {
    const exact = this.exact.loadTable(table);
    const layout = this.model.place(table.rows, table.dim, table.dtype);
    const held: NmpTable = {
      rows: exact.rows,
      dim: exact.dim,
      dtype: exact.dtype,
      bytes: exact.bytes,
      exact,
      layout,
    };
    return held;
  }

  async gatherReduce(
    table: EmbeddingTable,
    batch: BagBatch,
    out: Float32Array,
  ): Promise<GatherReport> {
    if (!isNmpTable(table)) {
      throw new RecmeshError(
        'failed_precondition',
        'the nmp backend was given a table it did not load',
      );
    }
    const arrivedMs = performance.now();
    await this.exact.gatherReduce(table.exact, batch, out);
    const job: Job = { table: table.layout, indices: batch.indices, offsets: batch.offsets };
    const modelled =
      this.pacer === undefined
        ? (this.runEpoch([job]).batches[0] as BatchModel)
        : await this.pacer.submit(job, arrivedMs);
    this.stats.record(modelled);
    return reportOf(modelled);
  }

  async dispose(): Promise<void> {
    await this.pacer?.drain();
    await this.exact.dispose();
  }
}
