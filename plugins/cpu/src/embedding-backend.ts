import { availableParallelism } from 'node:os';
import { RecmeshError, invalidArgument } from '@recmesh/errors';
import {
  referenceGatherReduce,
  tableBytesOf,
  tableDataOver,
  type BagBatch,
  type CapabilityReport,
  type Dtype,
  type EmbeddingBackend,
  type EmbeddingTable,
  type TableData,
} from '@recmesh/backend';
import { loadNativeKernel, type NativeAddon } from './native-kernel';

/**
 * Which kernel to run: `auto` takes the native addon where it loads and the TypeScript fallback
 * elsewhere; `native` insists on the addon (unavailable without it); `native-generic` runs the
 * addon's portable path even on an AVX2 CPU (tests use it); `typescript` forces the fallback.
 */
export type KernelChoice = 'auto' | 'native' | 'native-generic' | 'typescript';

export interface CpuEmbeddingOptions {
  /** Default `auto`. */
  readonly kernel?: KernelChoice;
  /** Threads one gatherReduce may spread over (default: the CPUs Node sees). */
  readonly threads?: number;
  /**
   * Fewest indices worth a thread of their own. Default 16,384: ~0.15 ms of work at the ~110M
   * lookups/s one core does on 64-wide fp32 rows, against ~10-20 us to hand a task to the libuv
   * threadpool and back; smaller batches stay on one thread.
   */
  readonly minIndicesPerThread?: number;
}

interface CpuTable extends EmbeddingTable {
  readonly held: TableData;
}

const DTYPE_CODE: Readonly<Record<Dtype, number>> = { fp32: 0, fp16: 1, int8: 2 };

/**
 * Gather-reduce over tables in host memory: the N-API addon (AVX2 + FMA + F16C where the CPU has
 * them, a portable path elsewhere) on the libuv threadpool, so the event loop never runs it; the
 * TypeScript reference where the addon cannot load.
 */
export class CpuEmbeddingBackend implements EmbeddingBackend {
  readonly name = 'cpu';
  private readonly native: NativeAddon | undefined;
  private readonly kernel: string;
  private readonly reason: string | undefined;
  private readonly available: boolean;
  private readonly threads: number;
  private readonly minIndicesPerThread: number;
  private readonly isa: 'auto' | 'generic';

  constructor(options: CpuEmbeddingOptions = {}) {
    const choice = options.kernel ?? 'auto';
    this.threads = options.threads ?? availableParallelism();
    if (!(Number.isInteger(this.threads) && this.threads >= 1))
      throw invalidArgument('threads', options.threads, 'must be an integer >= 1');
    this.minIndicesPerThread = options.minIndicesPerThread ?? 16_384;
    this.isa = choice === 'native-generic' ? 'generic' : 'auto';
    const load = choice === 'typescript' ? undefined : loadNativeKernel();
    if (load?.ok === true) {
      this.native = load.addon;
      this.kernel = `native-${this.isa === 'generic' ? 'generic' : load.addon.isa}`;
      this.available = true;
    } else {
      this.native = undefined;
      this.reason = load?.ok === false ? load.reason : 'the TypeScript kernel was asked for';
      // `native` was asked for and is missing: unavailable, not silently slow.
      this.available = choice === 'auto' || choice === 'typescript';
      this.kernel = choice === 'typescript' ? 'typescript' : 'typescript-fallback';
    }
  }

  capabilities(): CapabilityReport {
    return {
      backend: this.name,
      available: this.available,
      ...(this.available ? {} : { reason: this.reason }),
      kernel: this.kernel,
      threads: this.native === undefined ? 1 : this.threads,
      details: {
        dtypes: ['fp32', 'fp16', 'int8'],
        offEventLoop: this.native !== undefined,
        ...(this.native === undefined ? { fallbackReason: this.reason } : {}),
        minIndicesPerThread: this.minIndicesPerThread,
      },
    };
  }

  allocateTable(dtype: Dtype, rows: number, dim: number): TableData {
    if (!(Number.isInteger(rows) && rows >= 0))
      throw invalidArgument('rows', rows, 'must be an integer >= 0');
    if (!(Number.isInteger(dim) && dim >= 1))
      throw invalidArgument('dim', dim, 'must be an integer >= 1');
    const bytes = tableBytesOf(dtype, rows, dim);
    return tableDataOver(dtype, rows, dim, this.native?.allocate(bytes));
  }

  loadTable(table: TableData): EmbeddingTable {
    const bytes = tableBytesOf(table.dtype, table.rows, table.dim);
    if (table.data.byteLength < bytes) {
      throw new RecmeshError(
        'invalid_argument',
        `a ${table.dtype} table of ${table.rows} rows x ${table.dim} needs ${bytes} bytes; its data has ${table.data.byteLength}`,
        { field: 'table.data', value: table.data.byteLength },
      );
    }
    const held: CpuTable = {
      rows: table.rows,
      dim: table.dim,
      dtype: table.dtype,
      bytes: table.data.byteLength,
      held: table,
    };
    return held;
  }

  /** Argument errors (short buffers, bad indices or offsets) reject; they never throw. */
  async gatherReduce(table: EmbeddingTable, batch: BagBatch, out: Float32Array): Promise<void> {
    const { held } = table as CpuTable;
    if (this.native === undefined) {
      referenceGatherReduce(held, batch, out);
      return;
    }
    const parts = Math.max(
      1,
      Math.min(this.threads, Math.floor(batch.indices.length / this.minIndicesPerThread)),
    );
    await this.native.gatherReduce(
      held.data,
      held.rows,
      held.dim,
      DTYPE_CODE[held.dtype],
      batch.indices,
      batch.offsets,
      batch.weights ?? null,
      batch.mode === 'mean',
      out,
      parts,
      this.isa,
    );
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
