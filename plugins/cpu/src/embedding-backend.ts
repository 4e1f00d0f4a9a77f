import { RecmeshError } from '@recmesh/errors';
import {
  referenceGatherReduce,
  type BagBatch,
  type CapabilityReport,
  type EmbeddingBackend,
  type EmbeddingTable,
  type TableData,
} from '@recmesh/backend';

interface CpuTable extends EmbeddingTable {
  readonly data: Float32Array;
}

/** Gather-reduce over tables in host memory. */
export class CpuEmbeddingBackend implements EmbeddingBackend {
  readonly name = 'cpu';

  capabilities(): CapabilityReport {
    return {
      backend: this.name,
      available: true,
      kernel: 'typescript-reference',
      threads: 1,
      details: {},
    };
  }

  loadTable(table: TableData): EmbeddingTable {
    if (table.dtype !== 'fp32') {
      throw new RecmeshError(
        'failed_precondition',
        `the cpu backend's reference kernel holds fp32 tables only, not ${table.dtype}`,
      );
    }
    const held: CpuTable = {
      rows: table.rows,
      dim: table.dim,
      dtype: table.dtype,
      bytes: table.data.byteLength,
      data: table.data,
    };
    return held;
  }

  gatherReduce(table: EmbeddingTable, batch: BagBatch, out: Float32Array): Promise<void> {
    const t = table as CpuTable;
    referenceGatherReduce(t.data, t.dim, batch, out);
    return Promise.resolve();
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
