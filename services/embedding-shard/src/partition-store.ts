import type { Dtype, EmbeddingBackend } from '@recmesh/backend';
import type { HeldPartition } from '@recmesh/bus';
import { RecmeshError, notFound } from '@recmesh/errors';
import {
  RepositoryVersions,
  type HeldVersion,
  type ModelVersion,
  type ReloadReport,
} from '@recmesh/model-repository';
import {
  planFor,
  singleGroupPlan,
  type ModelSpec,
  type PlanPartition,
  type ShardingPlan,
} from '@recmesh/models';
import type { Logger } from '@recmesh/telemetry';
import { fillPartitions, presetSources, versionSources } from './partition-loader';
import type { LoadedPartition, VersionTables } from './version-tables';

export interface StoreOptions {
  readonly plan: ShardingPlan | undefined;
  readonly group: string | undefined;
  /** Folder of table files for presets; undefined: generated rows. */
  readonly tablesDir: string | undefined;
  /** Overrides the plan's dtype. */
  readonly dtype: Dtype | undefined;
  /** The model repository (RECMESH_MODEL_REPOSITORY). */
  readonly repository: string | undefined;
  /** How long a retiring version outlives its last use, ms. */
  readonly graceMs: number;
}

/**
 * The table partitions one shard holds, by model, version and table: built-in presets (version
 * 1, for good) and the versions of repository models (loaded beside the one served, retired
 * when superseded and released once nobody needs them).
 */
export class PartitionStore {
  readonly held: RepositoryVersions<VersionTables>;

  private constructor(
    readonly group: string,
    private readonly backend: EmbeddingBackend,
    private readonly options: StoreOptions,
    private readonly logger: Logger,
  ) {
    this.held = new RepositoryVersions<VersionTables>({
      repository: options.repository,
      graceMs: options.graceMs,
      load: (version) => this.loadVersion(version),
      release: (tables, model, version) => {
        for (const p of tables.values()) backend.releaseTable?.(p.table);
        logger.info({ model, version, partitions: tables.size }, 'model version released');
      },
    });
  }

  /** The group this shard serves in the plan (RECMESH_SHARD_GROUP), checked. */
  static groupOf(plan: ShardingPlan | undefined, group: string | undefined): string {
    if (plan === undefined) return group ?? 'shard-0';
    const id = group ?? plan.groups[0]?.id ?? 'shard-0';
    if (!plan.groups.some((g) => g.id === id))
      throw new RecmeshError(
        'config',
        `RECMESH_SHARD_GROUP = ${JSON.stringify(id)}: no such group in the plan (groups: ${plan.groups.map((g) => g.id).join(', ')})`,
        { field: 'RECMESH_SHARD_GROUP', value: id },
      );
    return id;
  }

  /**
   * Loads the presets' partitions of this shard's group (every source resolved and its header
   * checked before any row is read), then the repository's models.
   */
  static async load(
    backend: EmbeddingBackend,
    presets: readonly ModelSpec[],
    options: StoreOptions,
    logger: Logger,
  ): Promise<{ store: PartitionStore; report: ReloadReport | undefined }> {
    const store = new PartitionStore(
      PartitionStore.groupOf(options.plan, options.group),
      backend,
      options,
      logger,
    );
    const plan = options.plan ?? singleGroupPlan(presets, store.group);
    const mine = new Map(presets.map((spec) => [spec, store.partitionsOf(plan, spec)]));
    const sources = new Map(
      [...mine].map(([spec, parts]) => [spec, presetSources(spec, parts, options.tablesDir)]),
    );
    for (const [spec, parts] of mine) {
      const tables = await fillPartitions(spec, parts, sources.get(spec) ?? new Map(), {
        backend,
        dtype: options.dtype ?? options.plan?.dtype,
        logger,
      });
      store.held.add(spec.name, spec.version, tables);
    }
    const report = options.repository === undefined ? undefined : await store.held.reload();
    return { store, report };
  }

  private partitionsOf(plan: ShardingPlan, spec: ModelSpec): PlanPartition[] {
    const fitted = planFor(plan, [spec], this.options.plan === undefined ? 'plan' : 'RECMESH_PLAN');
    return [...(fitted.groups.find((g) => g.id === this.group)?.partitions ?? [])];
  }

  private async loadVersion(version: ModelVersion): Promise<VersionTables> {
    const spec = version.spec;
    const plan = this.options.plan ?? singleGroupPlan([spec], this.group);
    let parts: PlanPartition[];
    try {
      parts = this.partitionsOf(plan, spec);
    } catch (err) {
      throw new RecmeshError(
        'failed_precondition',
        `the sharding plan does not fit ${spec.name} version ${spec.version} (re-plan for its tables): ${(err as Error).message}`,
        { cause: err },
      );
    }
    const sources = await versionSources(version, parts);
    const tables = await fillPartitions(spec, parts, sources, {
      backend: this.backend,
      dtype: this.options.dtype ?? this.options.plan?.dtype,
      logger: this.logger,
    });
    this.logger.info(
      { model: spec.name, version: spec.version, partitions: tables.size, dir: version.entry.dir },
      'model version loaded',
    );
    return tables;
  }

  /** The partitions of `model` at `version` (0: the served one), counted in flight until released. */
  acquire(model: string, version: number): HeldVersion<VersionTables> & { release: () => void } {
    return this.held.acquire(model, version);
  }

  /** One table partition of a held version. */
  static table(held: HeldVersion<VersionTables>, table: number, group: string): LoadedPartition {
    const p = held.value.get(table);
    if (p === undefined)
      throw notFound(
        'lookups.table',
        table,
        `shard group ${group} holds no partition of ${held.model} version ${held.version} table ${table}`,
      );
    return p;
  }

  /** What this shard holds, as announced on NATS: rows, version, element type and bytes. */
  partitions(): (HeldPartition & { dim: number })[] {
    return this.held.list().flatMap(({ value, version, retiring }) =>
      [...value.values()].map(({ partition, table }) => ({
        model: partition.model,
        table: partition.table,
        rowStart: partition.rowStart,
        rowEnd: partition.rowEnd,
        dim: table.dim,
        dtype: table.dtype,
        bytes: table.bytes,
        version,
        ...(retiring ? { retiring } : {}),
      })),
    );
  }

  /** Models this shard holds some partition of. */
  models(): string[] {
    return [
      ...new Set(
        this.held
          .list()
          .filter((h) => h.value.size > 0)
          .map((h) => h.model),
      ),
    ];
  }

  bytes(): number {
    let sum = 0;
    for (const { value } of this.held.list()) for (const p of value.values()) sum += p.table.bytes;
    return sum;
  }

  release(): Promise<void> {
    return this.held.clear();
  }
}
