// The one public door of @recmesh/tables: embedding tables from .npy and safetensors files.
export { openNpy } from './npy';
export { openSafetensors } from './safetensors';
export { fileError } from './table-file';
export type { FileDtype, TableFile } from './table-file';
export { fileRows, generatedRows, loadRows } from './row-source';
export type { RowSource, LoadRowsOptions } from './row-source';
export { writeNpy, writeSafetensors, inMemory } from './write';
export type { ArrayToWrite } from './write';
export { findModelTables, tensorNames } from './model-tables';
