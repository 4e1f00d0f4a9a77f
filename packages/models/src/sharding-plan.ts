import { readFileSync } from 'node:fs';
import { parseDtype, type Dtype } from '@recmesh/backend';
import { RecmeshError, invalidArgument } from '@recmesh/errors';
import type { ModelSpec } from './model-spec';

/** Rows [rowStart, rowEnd) of one table of one model. */
export interface PlanPartition {
  readonly model: string;
  readonly table: number;
  readonly rowStart: number;
  readonly rowEnd: number;
}

/** A shard group: the partitions it holds, served by `replicas` identical shard processes. */
export interface PlanGroup {
  readonly id: string;
  readonly replicas: number;
  readonly partitions: readonly PlanPartition[];
}

/** The sharding plan: a JSON file that shards and the orchestrator both read. */
export interface ShardingPlan {
  readonly version: 1;
  /** Element type shards hold the tables in (default fp32); the planner sized rows with it. */
  readonly dtype?: Dtype;
  readonly groups: readonly PlanGroup[];
}

/** The plan that puts every table of `models` in one group. */
export function singleGroupPlan(models: readonly ModelSpec[], id = 'shard-0'): ShardingPlan {
  return {
    version: 1,
    groups: [
      {
        id,
        replicas: 1,
        partitions: models.flatMap((m) =>
          m.tables.map((t, table) => ({ model: m.name, table, rowStart: 0, rowEnd: t.rows })),
        ),
      },
    ],
  };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * Checks a parsed plan against the models it serves: every row of every table is held by exactly
 * one group, ids are unique, replicas >= 1. Errors name the field (`groups[1].partitions[0].rowEnd`).
 */
export function validatePlan(
  input: unknown,
  models: readonly ModelSpec[],
  source = 'plan',
): ShardingPlan {
  const plan = input as Partial<ShardingPlan> | null;
  if (typeof plan !== 'object' || plan === null)
    throw invalidArgument(source, input, 'is not an object');
  if (plan.version !== 1) throw invalidArgument(`${source}.version`, plan.version, 'must be 1');
  if (plan.dtype !== undefined) parseDtype(`${source}.dtype`, plan.dtype);
  if (!Array.isArray(plan.groups) || plan.groups.length === 0) {
    throw invalidArgument(`${source}.groups`, plan.groups, 'must be a non-empty array');
  }
  const byName = new Map(models.map((m) => [m.name, m]));
  const ids = new Set<string>();
  const covered = new Map<string, [number, number, string][]>();
  plan.groups.forEach((group, g) => {
    const at = `${source}.groups[${g}]`;
    if (typeof group?.id !== 'string' || group.id === '')
      throw invalidArgument(`${at}.id`, group?.id, 'must be a non-empty string');
    if (ids.has(group.id)) throw invalidArgument(`${at}.id`, group.id, 'is used by two groups');
    ids.add(group.id);
    if (!isInt(group.replicas) || group.replicas < 1)
      throw invalidArgument(`${at}.replicas`, group.replicas, 'must be an integer >= 1');
    if (!Array.isArray(group.partitions))
      throw invalidArgument(`${at}.partitions`, group.partitions, 'must be an array');
    group.partitions.forEach((p: PlanPartition, i: number) => {
      const pat = `${at}.partitions[${i}]`;
      const model = byName.get(p?.model);
      if (model === undefined)
        throw invalidArgument(
          `${pat}.model`,
          p?.model,
          `is not served (models: ${[...byName.keys()].join(', ')})`,
        );
      const table = model.tables[p.table];
      if (!isInt(p.table) || table === undefined)
        throw invalidArgument(
          `${pat}.table`,
          p.table,
          `${model.name} has ${model.tables.length} tables`,
        );
      if (
        !isInt(p.rowStart) ||
        !isInt(p.rowEnd) ||
        p.rowStart < 0 ||
        p.rowEnd <= p.rowStart ||
        p.rowEnd > table.rows
      ) {
        throw invalidArgument(
          `${pat}.rowEnd`,
          [p.rowStart, p.rowEnd],
          `is not a non-empty row range of a ${table.rows}-row table`,
        );
      }
      const key = `${p.model}#${p.table}`;
      const earlier = group.partitions.slice(0, i) as (PlanPartition | undefined)[];
      if (earlier.some((q) => q?.model === p.model && q.table === p.table))
        throw invalidArgument(
          pat,
          [p.rowStart, p.rowEnd],
          `a second range of ${p.model} table ${p.table} in group ${group.id}: a group serves one contiguous range per table`,
        );
      const list = covered.get(key) ?? [];
      list.push([p.rowStart, p.rowEnd, pat]);
      covered.set(key, list);
    });
  });
  for (const model of models) {
    model.tables.forEach((table, t) => {
      const ranges = (covered.get(`${model.name}#${t}`) ?? []).sort((a, b) => a[0] - b[0]);
      let next = 0;
      for (const [start, end, pat] of ranges) {
        if (start !== next) {
          throw invalidArgument(
            pat,
            [start, end],
            start < next
              ? `overlaps rows already held (next free row ${next})`
              : `leaves rows ${next}..${start - 1} of ${model.name} table ${t} unserved`,
          );
        }
        next = end;
      }
      if (next !== table.rows) {
        throw invalidArgument(
          `${source}.groups`,
          `${model.name} table ${t}`,
          `rows ${next}..${table.rows - 1} are held by no group`,
        );
      }
    });
  }
  return plan as ShardingPlan;
}

/**
 * The plan restricted to `models` (every group kept, with only their partitions), validated
 * against them: the part of a plan one model version needs. A plan may name models served from a
 * model repository beside presets; each is checked against the version being loaded.
 */
export function planFor(
  plan: ShardingPlan,
  models: readonly ModelSpec[],
  source = 'plan',
): ShardingPlan {
  const names = new Set(models.map((m) => m.name));
  const only = {
    ...plan,
    groups: plan.groups.map((g) => ({
      ...g,
      partitions: g.partitions.filter((p) => names.has(p.model)),
    })),
  };
  return validatePlan(only, models, source);
}

function readJson(path: string, field: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RecmeshError(
      'config',
      `${field} = ${JSON.stringify(path)}: cannot read the plan: ${(cause as Error).message}`,
      { field, value: path, cause },
    );
  }
}

/**
 * Reads and validates a plan file; `field` names where the path came from (`RECMESH_PLAN`,
 * `--plan`) in the error when the file cannot be read or parsed. With `partial`, partitions of
 * models not in `models` are allowed (they are checked when those models load: planFor).
 */
export function readPlanFile(
  path: string,
  models: readonly ModelSpec[],
  field = 'plan',
  partial = false,
): ShardingPlan {
  const parsed = readJson(path, field);
  if (!partial) return validatePlan(parsed, models, path);
  const plan = parsed as ShardingPlan;
  planFor(plan, models, path);
  return plan;
}
