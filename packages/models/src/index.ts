// The one public door of @recmesh/models.
export { PRESETS } from './presets';
export type { Preset } from './presets';
export { resolveModel, resolveModels, interactionWidth, tableBytes } from './model-spec';
export type { ModelSpec, TableSpec, Interaction, PoolingMode, ModelOptions } from './model-spec';
export { tableRows, fillTableRows, denseWeights } from './weights';
export type { DenseLayer, DenseWeights, Activation } from './weights';
export { buildDenseGraph, dotPairs, DENSE_GRAPH_IO } from './onnx-graph';
export type { DenseGraphSpec } from './onnx-graph';
export { singleGroupPlan, validatePlan, readPlanFile } from './sharding-plan';
export type { ShardingPlan, PlanGroup, PlanPartition } from './sharding-plan';
export { planShards, planTableWise, planLoads } from './sharding-planner';
export type { PlannerOptions, GroupLoad } from './sharding-planner';
export { streamKey, uniformAt, fillUniform, fillNormal } from './seeded';
