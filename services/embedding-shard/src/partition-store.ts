import type { Dtype, EmbeddingBackend, EmbeddingTable } from '@recmesh/backend';
import type { HeldPartition } from '@recmesh/bus';
import { RecmeshError, notFound } from '@recmesh/errors';
import {
  fillTableRows,
  singleGroupPlan,
  type ModelSpec,
  type PlanPartition,
  type ShardingPlan,
} from '@recmesh/models';
import {
  fileError,
  fileRows,
  findModelTables,
  generatedRows,
  loadRows,
  type RowSource,
} from '@recmesh/tables';
import type { Logger } from '@recmesh/telemetry';

export interface LoadedPartition {
  readonly partition: PlanPartition;
  readonly spec: ModelSpec;
  readonly table: EmbeddingTable;
}

export interface LoadOptions {
  readonly plan: ShardingPlan | undefined;
  readonly group: string | undefined;
  /** Folder of table files; undefined: generated rows. */
  readonly tablesDir: string | undefined;
  /** Overrides the plan's dtype. */
  readonly dtype: Dtype | undefined;
}

const NATIVE_DTYPE = { f32: 'fp32', f16: 'fp16', u8: 'int8' } as const;

/** Where each partition's rows come from: files under tablesDir, else the seeded generator. */
function sourcesFor(
  partitions: readonly PlanPartition[],
  specs: ReadonlyMap<string, ModelSpec>,
  tablesDir: string | undefined,
): Map<PlanPartition, RowSource> {
  const out = new Map<PlanPartition, RowSource>();
  for (const [model, spec] of specs) {
    const mine = partitions.filter((p) => p.model === model);
    if (mine.length === 0) continue;
    const files =
      tablesDir === undefined
        ? undefined
        : findModelTables(tablesDir, model, [...new Set(mine.map((p) => p.table))], spec.preset);
    for (const p of mine) {
      const t = spec.tables[p.table] as ModelSpec['tables'][number];
      const file = files?.get(p.table);
      if (file === undefined) {
        out.set(
          p,
          generatedRows(`generated ${model} table ${p.table}`, t.rows, t.dim, (row, _n, rows) =>
            fillTableRows(spec, p.table, row, rows),
          ),
        );
        continue;
      }
      const source = fileRows(file);
      if (file.rows !== t.rows || file.dim !== t.dim)
        throw fileError(
          source.name,
          `holds [${file.rows}, ${file.dim}]; ${model} table ${p.table} is [${t.rows}, ${t.dim}] at row scale ${spec.rowScale}`,
        );
      out.set(p, source);
    }
  }
  return out;
}

/** The table partitions one shard holds, by model and table. */
export class PartitionStore {
  private readonly byKey = new Map<string, LoadedPartition>();

  constructor(readonly group: string) {}

  /**
   * Loads this shard's partitions of the plan: every source is resolved (and its header checked)
   * before any rows are read, then each partition is filled in chunks straight into memory the
   * backend allocated, with progress in the log.
   */
  static async load(
    backend: EmbeddingBackend,
    models: readonly ModelSpec[],
    options: LoadOptions,
    logger: Logger,
  ): Promise<PartitionStore> {
    const effective = options.plan ?? singleGroupPlan(models);
    const groupId = options.group ?? effective.groups[0]?.id ?? 'shard-0';
    const held = effective.groups.find((g) => g.id === groupId);
    if (held === undefined) {
      throw new RecmeshError(
        'config',
        `RECMESH_SHARD_GROUP = ${JSON.stringify(groupId)}: no such group in the plan (groups: ${effective.groups.map((g) => g.id).join(', ')})`,
        { field: 'RECMESH_SHARD_GROUP', value: groupId },
      );
    }
    const specs = new Map(models.map((m) => [m.name, m]));
    const sources = sourcesFor(held.partitions, specs, options.tablesDir);
    const store = new PartitionStore(groupId);
    const count = held.partitions.length;
    for (const [k, partition] of held.partitions.entries()) {
      const spec = specs.get(partition.model) as ModelSpec;
      const source = sources.get(partition) as RowSource;
      const dtype = options.dtype ?? options.plan?.dtype ?? NATIVE_DTYPE[source.dtype];
      const rows = partition.rowEnd - partition.rowStart;
      const started = performance.now();
      const target = backend.allocateTable(dtype, rows, spec.dim);
      let logged = -1;
      await loadRows(source, partition.rowStart, partition.rowEnd, target, {
        onProgress: (done, total) => {
          const percent = Math.floor((100 * done) / total);
          if (percent >= logged + 10 || done === total) {
            logged = percent;
            logger.info(
              { ...partition, dtype, source: source.name, percent, partition_no: k + 1, of: count },
              'loading table partition',
            );
          }
        },
      });
      const table = backend.loadTable(target);
      store.byKey.set(`${partition.model}#${partition.table}`, { partition, spec, table });
      logger.info(
        {
          ...partition,
          dtype,
          bytes: table.bytes,
          ms: Math.round(performance.now() - started),
          rss: process.memoryUsage.rss(),
        },
        'table partition loaded',
      );
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

  /** What this shard holds, as announced on NATS: rows, element type and bytes per partition. */
  partitions(): HeldPartition[] {
    return [...this.byKey.values()].map(({ partition, table }) => ({
      model: partition.model,
      table: partition.table,
      rowStart: partition.rowStart,
      rowEnd: partition.rowEnd,
      dtype: table.dtype,
      bytes: table.bytes,
    }));
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
