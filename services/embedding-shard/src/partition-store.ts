import { readFileSync } from 'node:fs';
import type { EmbeddingBackend, EmbeddingTable } from '@recmesh/backend';
import type { HeldPartition } from '@recmesh/bus';
import { RecmeshError, notFound } from '@recmesh/errors';
import {
  singleGroupPlan,
  tableRows,
  validatePlan,
  type ModelSpec,
  type PlanPartition,
  type ShardingPlan,
} from '@recmesh/models';
import type { Logger } from '@recmesh/telemetry';

export interface LoadedPartition {
  readonly partition: PlanPartition;
  readonly spec: ModelSpec;
  readonly table: EmbeddingTable;
}

/** Reads and validates the plan file, naming the file in every error. */
export function readPlan(path: string, models: readonly ModelSpec[]): ShardingPlan {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RecmeshError(
      'config',
      `RECMESH_PLAN = ${JSON.stringify(path)}: cannot read the plan: ${(cause as Error).message}`,
      { field: 'RECMESH_PLAN', value: path, cause },
    );
  }
  return validatePlan(parsed, models, path);
}

/** The table partitions one shard holds, by model and table. */
export class PartitionStore {
  private readonly byKey = new Map<string, LoadedPartition>();

  constructor(readonly group: string) {}

  static async load(
    backend: EmbeddingBackend,
    models: readonly ModelSpec[],
    plan: ShardingPlan | undefined,
    group: string | undefined,
    logger: Logger,
  ): Promise<PartitionStore> {
    const effective = plan ?? singleGroupPlan(models);
    const groupId = group ?? effective.groups[0]?.id ?? 'shard-0';
    const held = effective.groups.find((g) => g.id === groupId);
    if (held === undefined) {
      throw new RecmeshError(
        'config',
        `RECMESH_SHARD_GROUP = ${JSON.stringify(groupId)}: no such group in the plan (groups: ${effective.groups.map((g) => g.id).join(', ')})`,
        { field: 'RECMESH_SHARD_GROUP', value: groupId },
      );
    }
    const specs = new Map(models.map((m) => [m.name, m]));
    const store = new PartitionStore(groupId);
    for (const partition of held.partitions) {
      const spec = specs.get(partition.model) as ModelSpec;
      const started = performance.now();
      const data = tableRows(spec, partition.table, partition.rowStart, partition.rowEnd);
      const table = backend.loadTable({
        rows: partition.rowEnd - partition.rowStart,
        dim: spec.dim,
        dtype: 'fp32',
        data,
      });
      store.byKey.set(`${partition.model}#${partition.table}`, { partition, spec, table });
      logger.info(
        { ...partition, bytes: table.bytes, ms: Math.round(performance.now() - started) },
        'table partition loaded',
      );
      // Table generation is CPU-bound; let heartbeats and signals through between tables.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return store;
  }

  get(model: string, table: number): LoadedPartition {
    const held = this.byKey.get(`${model}#${table}`);
    if (held === undefined) {
      const models = new Set([...this.byKey.values()].map((p) => p.partition.model));
      throw models.has(model)
        ? notFound(
            'lookups.table',
            table,
            `shard group ${this.group} holds no partition of ${model} table ${table}`,
          )
        : notFound('model', model, `shard group ${this.group} holds no table of this model`);
    }
    return held;
  }

  partitions(): HeldPartition[] {
    return [...this.byKey.values()].map(({ partition }) => ({ ...partition }));
  }

  models(): string[] {
    return [...new Set([...this.byKey.values()].map((p) => p.partition.model))];
  }

  bytes(): number {
    let sum = 0;
    for (const p of this.byKey.values()) sum += p.table.bytes;
    return sum;
  }
}
