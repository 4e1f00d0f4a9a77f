// The one public door of @recmesh/dlrm-import.
export { importDlrm, specOfImport } from './import-dlrm';
export type { ImportOptions, ImportResult } from './import-dlrm';
export { extractDlrm } from './extract';
export type { ExtractedDlrm } from './extract';
export { OnnxFile, importError } from './onnx-file';
export { randomSamples, runOriginal, runImported, verifyImport } from './verify';
export type { Samples, Verification } from './verify';
