/**
 * The hardware backend contracts. A backend plugin (plugins/cpu, plugins/nmp, plugins/cuda) is
 * one inversify ContainerModule that binds these; services ask the container for the contract,
 * never for a concrete backend.
 */

/**
 * Element types of embedding tables:
 * - fp32: float32 rows.
 * - fp16: IEEE-754 binary16 rows (half the memory).
 * - int8: FBGEMM's row-wise quantisation ("Fused8BitRowwise"): each row is `dim` uint8 codes
 *   followed by a float32 scale and a float32 bias, value = code * scale + bias (4x less memory
 *   than fp32 for dim >= 32).
 */
export type Dtype = 'fp32' | 'fp16' | 'int8';
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

interface TableShape {
  readonly rows: number;
  readonly dim: number;
}

/** Host-memory rows of one table partition, row-major. */
export type TableData =
  | (TableShape & { readonly dtype: 'fp32'; readonly data: Float32Array })
  /** binary16 bit patterns, [rows][dim]. */
  | (TableShape & { readonly dtype: 'fp16'; readonly data: Uint16Array })
  /** Fused rows: [rows][dim + 8] bytes, codes then float32 scale and bias (little-endian). */
  | (TableShape & { readonly dtype: 'int8'; readonly data: Uint8Array });

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

/**
 * What a backend that emulates hardware (nmp) says about one gatherReduce: the time and energy its
 * hardware model gives the batch, and the same batch on the plain host memory system. Backends
 * that run on real hardware return nothing.
 */
export interface GatherReport {
  /** Modelled time of the batch on the emulated hardware, seconds (queueing excluded). */
  readonly modelledLatencyS: number;
  /** Modelled energy of the batch, joules, without PUE. */
  readonly modelledEnergyJ: number;
  /** The same batch modelled on the host memory system the emulated hardware replaces. */
  readonly baselineLatencyS: number;
  readonly baselineEnergyJ: number;
  /** Fraction of lookups served by a memory-side cache, in [0, 1]. */
  readonly cacheHitRate: number;
}

/** Gather-reduce (SparseLengthsSum and its weighted and mean forms). */
export interface EmbeddingBackend {
  readonly name: string;
  capabilities(): CapabilityReport;
  /**
   * Zeroed host memory for a [rows][dim] table of `dtype`, laid out as this backend's kernel
   * wants it (the cpu backend: 2 MiB-aligned, transparent huge pages, outside the JS heap).
   * Loaders fill it in place and hand it to loadTable, so a table is never held twice.
   */
  allocateTable(dtype: Dtype, rows: number, dim: number): TableData;
  /** Takes the rows as its own: the caller must not write them afterwards. */
  loadTable(table: TableData): EmbeddingTable;
  /**
   * Gives a loaded table's memory back (a model version retired). Called only once no
   * gatherReduce on it is in flight, and the table is not used again. Optional: backends whose
   * tables live in GC-managed host memory (cpu, nmp) let the collector free them.
   */
  releaseTable?(table: EmbeddingTable): void;
  /**
   * Pools every bag of `batch` into `out`, float32 [bags][dim]. Emulating backends resolve with
   * a GatherReport; the others with nothing.
   */
  gatherReduce(
    table: EmbeddingTable,
    batch: BagBatch,
    out: Float32Array,
  ): Promise<GatherReport | void>;
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
   * Scores `batch` samples: dense is float32 [batch][features] (already expanded; empty for a
   * graph without dense features), embeddings float32 [tables][batch][dim]. Returns float32
   * [batch][tasks] (the graph's output, row-major; [batch] when tasks is 1).
   */
  run(dense: Float32Array, embeddings: Float32Array, batch: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/** One fully connected layer of a dense graph, PyTorch's layout: weight is [outputs][inputs]. */
export interface DenseLayerWeights {
  readonly inputs: number;
  readonly outputs: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly activation: 'relu' | 'sigmoid';
}

/**
 * The dense graph's function without ONNX: the MLPs' weights and the interaction between them
 * (cat: [bottom output, table 0, ..., table T-1]; dot: [bottom output, the pairwise dot products
 * z_i . z_j, j < i, of those T + 1 vectors in DLRM's order]). For backends that run the graph
 * with their own kernels (cuda) instead of an ONNX runtime.
 */
export interface DenseMlp {
  readonly interaction: 'cat' | 'dot';
  readonly bottom: readonly DenseLayerWeights[];
  readonly top: readonly DenseLayerWeights[];
}

export interface DenseGraph {
  readonly onnx: Uint8Array;
  readonly io: DenseGraphIO;
  readonly denseFeatures: number;
  readonly tables: number;
  readonly dim: number;
  /** The same function as `onnx`, as plain weights; backends that run ONNX ignore it. */
  readonly mlp?: DenseMlp;
  /** Scores per sample (the output's second dimension); default 1. */
  readonly tasks?: number;
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
  /** BackendOptions, bound by loadBackend when the service passes any. */
  BackendOptions: Symbol.for('recmesh.BackendOptions'),
} as const;

/**
 * Backend parameters from the service's configuration, for plugins that take any (nmp: its
 * hardware model). `config` is the raw text of the variable named by `source`; the plugin parses
 * and validates it, naming `source` in its errors.
 */
export interface BackendOptions {
  readonly config?: string;
  readonly source: string;
}
