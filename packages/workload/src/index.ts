// The one public door of @recmesh/workload: DeepRecInfra-style load.
export { Rng } from './rng';
export { lognormalSizes, fixedSizes } from './query-sizes';
export type { QuerySizes } from './query-sizes';
export { summarize, quantileSorted } from './latency-stats';
export type { LatencySummary } from './latency-stats';
export { runOpenLoop } from './open-loop';
export type { OpenLoopOptions, LoadProgress, LoadResult } from './open-loop';
export { syntheticQuery } from './synthetic-query';
export type { QueryShape } from './synthetic-query';
