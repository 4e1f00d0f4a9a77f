import {
  rowBytes,
  tableDataOver,
  type BagBatch,
  type CapabilityReport,
  type Dtype,
  type EmbeddingBackend,
  type EmbeddingTable,
  type TableData,
} from '@recmesh/backend';
import { invalidArgument } from '@recmesh/errors';
import type { CudaDevice } from './device';
import { callAddon, fromAddonError } from './errors';
import type { DtypeCode, Handle } from './native/addon';

const DTYPE_CODE: Record<Dtype, DtypeCode> = { fp32: 0, fp16: 1, int8: 2 };

/**
 * Gather-reduce with the tables resident in GPU memory. Each batch is staged through a lane's
 * pinned buffers and stream; batches larger than `partLookups` are split over several lanes.
 */
export class CudaEmbeddingBackend implements EmbeddingBackend {
  readonly name = 'cuda';
  private readonly handles = new WeakMap<EmbeddingTable, Handle>();
  private readonly loaded = new Set<Handle>();
  private readonly inFlight = new Set<Promise<void>>();
  private tableBytes = 0;

  constructor(private readonly device: CudaDevice) {}

  capabilities(): CapabilityReport {
    return this.device.report(this.name, 'cuda-gather-reduce', {
      tables: this.loaded.size,
      tableBytes: this.tableBytes,
    });
  }

  /** Host staging memory: loadTable copies it to the device, after which it can be dropped. */
  allocateTable(dtype: Dtype, rows: number, dim: number): TableData {
    return tableDataOver(dtype, rows, dim);
  }

  loadTable(table: TableData): EmbeddingTable {
    const addon = this.device.require();
    const handle = callAddon('loadTable', () =>
      addon.loadTable(table.data, table.rows, table.dim, DTYPE_CODE[table.dtype]),
    );
    const held: EmbeddingTable = {
      rows: table.rows,
      dim: table.dim,
      dtype: table.dtype,
      bytes: table.rows * rowBytes(table.dtype, table.dim),
    };
    this.handles.set(held, handle);
    this.loaded.add(handle);
    this.tableBytes += held.bytes;
    return held;
  }

  gatherReduce(table: EmbeddingTable, batch: BagBatch, out: Float32Array): Promise<void> {
    const handle = this.handles.get(table);
    if (handle === undefined || !this.loaded.has(handle)) {
      return Promise.reject(
        invalidArgument(
          'table',
          `${table.rows} x ${table.dim} ${table.dtype}`,
          'not a table this cuda backend holds',
        ),
      );
    }
    const { lanes, partLookups } = this.device.options;
    const parts = Math.max(1, Math.min(lanes, Math.ceil(batch.indices.length / partLookups)));
    let run: Promise<void>;
    try {
      run = this.device
        .require()
        .gatherReduce(
          handle,
          batch.indices,
          batch.offsets,
          batch.weights ?? null,
          batch.mode === 'mean',
          out,
          parts,
        )
        .catch((err: unknown) => {
          throw fromAddonError(err, 'gatherReduce');
        });
    } catch (err) {
      return Promise.reject(fromAddonError(err, 'gatherReduce'));
    }
    this.inFlight.add(run);
    const settle = () => void this.inFlight.delete(run);
    run.then(settle, settle);
    return run;
  }

  /** Waits for batches in flight, then frees every table's device memory. */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    if (this.device.available) {
      const addon = this.device.require();
      for (const handle of this.loaded) addon.freeTable(handle);
    }
    this.loaded.clear();
    this.tableBytes = 0;
  }
}
