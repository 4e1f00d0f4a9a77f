/**
 * The hardware backend contracts. A backend plugin (plugins/cpu, plugins/nmp, plugins/cuda) is
 * one inversify ContainerModule that binds these; services ask the container for the contract,
 * never for a concrete backend.
 */

export type Dtype = 'fp32';
export type PoolingMode = 'sum' | 'mean';

/** What a backend can do here, and why not where it cannot. */
export interface CapabilityReport {
  readonly backend: string;
  readonly available: boolean;
  /** Why the backend cannot run here (no driver, no device, no addon, ...). */
  readonly reason?: string;
  /** The implementation in use, e.g. `native-avx2` or `typescript-fallback`. */
  readonly kernel: string;
  readonly threads: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Host-memory rows of one table partition, row-major [rows][dim]. */
export interface TableData {
  readonly rows: number;
  readonly dim: number;
  readonly dtype: Dtype;
  readonly data: Float32Array;
}

/** A table partition as the backend holds it (in host memory, device memory, ...). */
export interface EmbeddingTable {
  readonly rows: number;
  readonly dim: number;
  readonly dtype: Dtype;
  /** Bytes the backend holds for it. */
  readonly bytes: number;
}

/**
 * One batch of bags over one table, EmbeddingBag's (indices, offsets) form. Callers validate
 * (validateBags) before a backend sees it: indices are in range, offsets non-decreasing.
 */
export interface BagBatch {
  readonly indices: Int32Array;
  readonly offsets: Int32Array;
  /** Per-index weights: weighted sum (SparseLengthsWeightedSum). */
  readonly weights?: Float32Array;
  readonly mode: PoolingMode;
}

/** Gather-reduce (SparseLengthsSum and its weighted and mean forms). */
export interface EmbeddingBackend {
  readonly name: string;
  capabilities(): CapabilityReport;
  loadTable(table: TableData): EmbeddingTable;
  /** Pools every bag of `batch` into `out`, float32 [bags][dim]. */
  gatherReduce(table: EmbeddingTable, batch: BagBatch, out: Float32Array): Promise<void>;
  dispose(): Promise<void>;
}

export interface DenseSessionOptions {
  /** Threads of one graph run (onnxruntime's intra-op threads). */
  readonly intraOpThreads: number;
}

/** Names of the graph's inputs and output. */
export interface DenseGraphIO {
  readonly dense: string;
  readonly embeddings: string;
  readonly output: string;
}

/** A loaded dense graph. */
export interface DenseSession {
  /**
   * Scores `batch` samples: dense is float32 [batch][features] (already expanded), embeddings
   * float32 [tables][batch][dim]. Returns float32 [batch].
   */
  run(dense: Float32Array, embeddings: Float32Array, batch: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface DenseGraph {
  readonly onnx: Uint8Array;
  readonly io: DenseGraphIO;
  readonly denseFeatures: number;
  readonly tables: number;
  readonly dim: number;
}

/** Runs dense graphs. */
export interface DenseBackend {
  readonly name: string;
  capabilities(): CapabilityReport;
  createSession(graph: DenseGraph, options: DenseSessionOptions): Promise<DenseSession>;
}

/** inversify service identifiers of the contracts. */
export const TYPES = {
  EmbeddingBackend: Symbol.for('recmesh.EmbeddingBackend'),
  DenseBackend: Symbol.for('recmesh.DenseBackend'),
} as const;
