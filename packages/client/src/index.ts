// The one public door of @recmesh/client.
export { toRankRequest, rankedItems } from './plain-query';
export type { PlainQuery, PlainItemSparse, PlainUserSparse, PlainRankedItem } from './plain-query';
export { RankingClient } from './ranking-client';
export type { RankOptions } from './ranking-client';
export { SchedulerClient } from './scheduler-client';
