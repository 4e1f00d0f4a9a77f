// The one public door of @recmesh/model-repository.
export {
  MANIFEST_FORMAT,
  MODEL_NAME,
  TABLE_DTYPES,
  parseManifest,
  repositoryError,
  schemaError,
} from './manifest';
export type { Manifest, ManifestInput, ManifestTable, TableDtype } from './manifest';
export {
  MANIFEST_FILE,
  DEFAULT_PRESETS,
  scanRepository,
  readVersion,
  readVersionDir,
  servedPresets,
  newestVersions,
  specOf,
} from './repository';
export type { ModelVersion, RepositoryScan, VersionEntry } from './repository';
export {
  sha256File,
  verifySha256,
  openVersionTable,
  checkVersionFiles,
  readDenseGraph,
} from './files';
export { HeldVersions } from './held-versions';
export { RepositoryVersions } from './repository-versions';
export type { RepositoryVersionsOptions } from './repository-versions';
export type { HeldVersion, HeldVersionsOptions } from './held-versions';
export { reconcile } from './reconcile';
export type { ReloadReport, Refusal, VersionLoader, VersionRef } from './reconcile';
export { writeVersion } from './write-version';
export type { VersionContents } from './write-version';
export { errorMessage } from './error-message';
export { topK } from './top-k';
export {
  MAX_STAGES,
  PIPELINE_FILE,
  PIPELINE_FORMAT,
  STAGE_BACKENDS,
  parsePipeline,
  readPipeline,
  writePipeline,
} from './pipeline';
export type { Pipeline, PipelineInput, PipelineStage, StageBackend } from './pipeline';
