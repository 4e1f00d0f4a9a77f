// The one public door of @recmesh/workload: DeepRecInfra-style load.
export { Rng } from './rng';
export { lognormalSizes, fixedSizes, productionSizes, sizesByName } from './query-sizes';
export type { QuerySizes } from './query-sizes';
export { summarize, quantileSorted } from './latency-stats';
export type { LatencySummary } from './latency-stats';
export { runOpenLoop } from './open-loop';
export type { OpenLoopOptions, LoadProgress, LoadResult } from './open-loop';
export { syntheticQuery } from './synthetic-query';
export type { QueryShape } from './synthetic-query';
export { findMaxLoad, passes, quantileCi } from './max-load';
export type { Probe, MaxLoadOptions, MaxLoadResult } from './max-load';
export { latencyThroughputSvg, paretoSvg } from './plot';
export type { Curve, TradeOffPoint } from './plot';
