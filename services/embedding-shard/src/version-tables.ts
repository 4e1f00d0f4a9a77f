import type { EmbeddingTable } from '@recmesh/backend';
import type { ModelSpec, PlanPartition } from '@recmesh/models';

/** One table partition a shard holds, of one model version. */
export interface LoadedPartition {
  readonly partition: PlanPartition;
  readonly spec: ModelSpec;
  readonly table: EmbeddingTable;
}

/** The partitions a shard holds of one model version, by table. */
export type VersionTables = ReadonlyMap<number, LoadedPartition>;
