// The one public door of @recmesh/backend.
export { TYPES } from './contracts';
export type {
  BackendOptions,
  BagBatch,
  CapabilityReport,
  DenseBackend,
  DenseGraph,
  DenseGraphIO,
  DenseLayerWeights,
  DenseMlp,
  DenseSession,
  DenseSessionOptions,
  Dtype,
  EmbeddingBackend,
  EmbeddingTable,
  GatherReport,
  PoolingMode,
  TableData,
} from './contracts';
export { validateBags } from './validate-bags';
export { referenceGatherReduce } from './reference-kernel';
export {
  rowBytes,
  tableBytesOf,
  parseDtype,
  tableDataOver,
  halfToFloat,
  floatToHalf,
  encodeFp16,
  quantizeFused8BitRowwise,
  decodeRow,
} from './dtype-codec';
export { loadBackend, embeddingBackendOf, denseBackendOf, BACKEND_PLUGINS } from './load-backend';
export type { BackendPlugin } from './load-backend';
