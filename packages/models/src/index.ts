// The one public door of @recmesh/models.
export { PRESETS, CRITEO_KAGGLE_ROWS } from './presets';
export type { Preset, TaskSpec } from './presets';
export { INTERACTIONS, describeArchitecture, dlrmInteractionWidth } from './architecture';
export type {
  Architecture,
  ArchitectureKind,
  DlrmArchitecture,
  NcfArchitecture,
  WideDeepArchitecture,
  MultiTaskWideDeepArchitecture,
  DinArchitecture,
  DienArchitecture,
  Interaction,
} from './architecture';
export {
  resolveModel,
  resolveModels,
  modelNames,
  interactionWidth,
  tableBytes,
  targetsAround,
  isInteraction,
} from './model-spec';
export type { ModelSpec, TableSpec, Targets, PoolingMode, ModelOptions } from './model-spec';
export { tableRows, fillTableRows, denseWeights } from './weights';
export type { DenseLayer, DenseTensor, DenseWeights, Activation } from './weights';
export { buildDenseGraph, denseGraphOf, DENSE_GRAPH_IO } from './dense-graph';
export { DOT_LOWERINGS, dotPairs } from './graphs/dlrm-graph';
export type { DotLowering, GraphOptions } from './graphs/dlrm-graph';
export { denseMacs } from './dense-macs';
export { singleGroupPlan, validatePlan, readPlanFile, planFor } from './sharding-plan';
export type { ShardingPlan, PlanGroup, PlanPartition } from './sharding-plan';
export { planShards, planTableWise, planLoads } from './sharding-planner';
export type { PlannerOptions, GroupLoad } from './sharding-planner';
export { streamKey, uniformAt, fillUniform, fillNormal } from './seeded';
