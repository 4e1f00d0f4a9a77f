import { rowBytes, type Dtype } from '@recmesh/backend';
import { invalidArgument } from '@recmesh/errors';
import type { ModelSpec } from './model-spec';
import type { PlanPartition, ShardingPlan } from './sharding-plan';

export interface PlannerOptions {
  /** Shard groups to spread the tables over. */
  readonly groups: number;
  /**
   * Bytes of table rows one shard may hold: one number for every group, or one per group.
   * Default: unlimited (tables are placed whole).
   */
  readonly budgetBytes?: number | readonly number[];
  /** Identical shard processes serving each group (default 1). */
  readonly replicas?: number;
  /** Element type the shards hold the tables in; it sizes the rows (default fp32). */
  readonly dtype?: Dtype;
  /**
   * A table larger than this is split row-wise into near-equal ranges no larger than it. Default:
   * the smallest budget, so that every piece fits any empty group.
   */
  readonly maxPartitionBytes?: number;
}

/** What the planner balanced, per group. */
export interface GroupLoad {
  readonly id: string;
  readonly bytes: number;
  readonly budgetBytes: number;
  /**
   * Expected bytes gathered per ranked item: sum over partitions of pool x row bytes x the
   * partition's share of the table's rows (ids assumed uniform over rows).
   */
  readonly gatheredBytesPerItem: number;
  readonly partitions: number;
}

interface Piece {
  readonly model: string;
  readonly table: number;
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly bytes: number;
  readonly traffic: number;
  readonly rowBytes: number;
  readonly tableRows: number;
  readonly pool: number;
}

function budgetsOf(options: PlannerOptions): number[] {
  const { groups, budgetBytes } = options;
  const list =
    budgetBytes === undefined
      ? Array<number>(groups).fill(Infinity)
      : typeof budgetBytes === 'number'
        ? Array<number>(groups).fill(budgetBytes)
        : [...budgetBytes];
  if (list.length !== groups)
    throw invalidArgument(
      'budgetBytes',
      budgetBytes,
      `gives ${list.length} budgets for ${groups} groups`,
    );
  list.forEach((b, g) => {
    if (!(b > 0))
      throw invalidArgument(`budgetBytes[${g}]`, b, 'must be a positive number of bytes');
  });
  return list;
}

function sized(rowStart: number, rowEnd: number, perRow: number, tableRows: number, pool: number) {
  return {
    rowStart,
    rowEnd,
    bytes: (rowEnd - rowStart) * perRow,
    traffic: (pool * perRow * (rowEnd - rowStart)) / tableRows,
    rowBytes: perRow,
    tableRows,
    pool,
  };
}

/** Rows [p.rowStart, at) and [at, p.rowEnd) of a piece. */
function cut(p: Piece, at: number): [Piece, Piece] {
  return [
    { ...p, ...sized(p.rowStart, at, p.rowBytes, p.tableRows, p.pool) },
    { ...p, ...sized(at, p.rowEnd, p.rowBytes, p.tableRows, p.pool) },
  ];
}

/** Every table cut into row ranges no larger than `maxBytes`, with its bytes and traffic. */
function piecesOf(models: readonly ModelSpec[], dtype: Dtype, maxBytes: number): Piece[] {
  return models.flatMap((m) =>
    m.tables.flatMap((t, table) => {
      const perRow = rowBytes(dtype, t.dim);
      if (perRow > maxBytes)
        throw invalidArgument(
          'maxPartitionBytes',
          maxBytes,
          `one row of ${m.name} table ${table} is ${perRow} bytes (${dtype})`,
        );
      const k = Math.max(1, Math.ceil((t.rows * perRow) / maxBytes));
      const per = Math.ceil(t.rows / k);
      const out: Piece[] = [];
      for (let start = 0; start < t.rows; start += per) {
        const end = Math.min(t.rows, start + per);
        out.push({
          model: m.name,
          table,
          ...sized(start, end, perRow, t.rows, t.pool),
        });
      }
      return out;
    }),
  );
}

/**
 * Places every table of `models` on `groups` shard groups within per-shard memory budgets, in the
 * manner of TorchRec's planner, simpler: tables larger than `maxPartitionBytes` are split
 * row-wise; pieces go largest first (LPT) to the group with the least load that still has room,
 * where load = the group's share of all table bytes + its share of all expected lookup traffic,
 * so memory and work are balanced together. Pieces of one table go to different groups where
 * possible (so a split table's lookups run in parallel). Throws, naming the table and the free
 * bytes, when the budgets cannot hold the tables.
 */
export function planShards(models: readonly ModelSpec[], options: PlannerOptions): ShardingPlan {
  const { groups } = options;
  if (!(Number.isInteger(groups) && groups >= 1))
    throw invalidArgument('groups', groups, 'must be an integer >= 1');
  const replicas = options.replicas ?? 1;
  if (!(Number.isInteger(replicas) && replicas >= 1))
    throw invalidArgument('replicas', replicas, 'must be an integer >= 1');
  const dtype = options.dtype ?? 'fp32';
  const budgets = budgetsOf(options);
  const maxPart = options.maxPartitionBytes ?? Math.min(...budgets);
  if (!(maxPart > 0))
    throw invalidArgument('maxPartitionBytes', maxPart, 'must be a positive number of bytes');

  const pieces = piecesOf(models, dtype, maxPart);
  const totalBytes = pieces.reduce((s, p) => s + p.bytes, 0) || 1;
  const totalTraffic = pieces.reduce((s, p) => s + p.traffic, 0) || 1;
  const cost = (p: Piece) => p.bytes / totalBytes + p.traffic / totalTraffic;
  const used = new Array<number>(groups).fill(0);
  const load = new Array<number>(groups).fill(0);
  const held: Piece[][] = Array.from({ length: groups }, () => []);
  const ordered = [...pieces].sort(
    (a, b) =>
      cost(b) - cost(a) ||
      a.model.localeCompare(b.model) ||
      a.table - b.table ||
      a.rowStart - b.rowStart,
  );
  // A group serves one contiguous range per table (a Lookup addresses a table's rows in a group
  // from one offset): it may take a piece only if it holds none of that table, or the piece
  // extends its range.
  const allowed = (g: number, p: Piece): boolean => {
    const mine = held[g]?.filter((q) => q.model === p.model && q.table === p.table) ?? [];
    if (mine.length === 0) return true;
    const lo = Math.min(...mine.map((q) => q.rowStart));
    const hi = Math.max(...mine.map((q) => q.rowEnd));
    return p.rowStart === hi || p.rowEnd === lo;
  };
  const queue = [...ordered];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    let best = -1;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (let g = 0; g < groups; g++) {
      if ((used[g] as number) + p.bytes > (budgets[g] as number) || !allowed(g, p)) continue;
      // Pieces of one table on different groups where possible: their lookups run in parallel.
      const sibling = held[g]?.some((q) => q.model === p.model && q.table === p.table) ? 1 : 0;
      const key: [number, number] = [sibling, load[g] as number];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = g;
        bestKey = key;
      }
    }
    if (best < 0) {
      // Fits no group whole: fill the allowed group with the most room with the rows it can take,
      // and place the rest next (budgets fragment as pieces land; row-wise splits absorb that).
      const free = budgets.map((b, g) => (allowed(g, p) ? b - (used[g] as number) : 0));
      const roomiest = free.indexOf(Math.max(...free));
      const rows = Math.floor((free[roomiest] as number) / p.rowBytes);
      if (rows < 1) {
        throw invalidArgument(
          'budgetBytes',
          options.budgetBytes,
          `${p.model} table ${p.table} rows ${p.rowStart}..${p.rowEnd - 1} (${p.bytes} bytes of ${dtype}) fit no group: ` +
            `free bytes per group ${budgets.map((b, g) => b - (used[g] as number)).join(', ')}; the tables need ${totalBytes} bytes in all, the budgets give ${budgets.reduce((s, b) => s + b, 0)}`,
        );
      }
      const [head, rest] = cut(p, p.rowStart + rows);
      queue.unshift(head, rest);
      continue;
    }
    used[best] = (used[best] as number) + p.bytes;
    load[best] = (load[best] as number) + cost(p);
    held[best]?.push(p);
  }
  return {
    version: 1,
    dtype,
    groups: held.map((list, g) => ({
      id: `shard-${g}`,
      replicas,
      partitions: mergeAdjacent(list),
    })),
  };
}

/** Whole tables over `groups` shard groups, balancing bytes and lookup traffic (no budgets). */
export function planTableWise(
  models: readonly ModelSpec[],
  groups: number,
  replicas = 1,
): ShardingPlan {
  return planShards(models, { groups, replicas });
}

/** Pieces of one table that landed in one group side by side become one partition. */
function mergeAdjacent(pieces: readonly Piece[]): PlanPartition[] {
  const sorted = [...pieces].sort(
    (a, b) => a.model.localeCompare(b.model) || a.table - b.table || a.rowStart - b.rowStart,
  );
  const out: PlanPartition[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (
      last !== undefined &&
      last.model === p.model &&
      last.table === p.table &&
      last.rowEnd === p.rowStart
    ) {
      out[out.length - 1] = { ...last, rowEnd: p.rowEnd };
    } else {
      out.push({ model: p.model, table: p.table, rowStart: p.rowStart, rowEnd: p.rowEnd });
    }
  }
  return out;
}

/** Bytes and expected traffic per group of a plan (what `recmesh plan shards` prints). */
export function planLoads(
  plan: ShardingPlan,
  models: readonly ModelSpec[],
  budgetBytes?: number | readonly number[],
): GroupLoad[] {
  const dtype = plan.dtype ?? 'fp32';
  const byName = new Map(models.map((m) => [m.name, m]));
  return plan.groups.map((group, g) => {
    let bytes = 0;
    let traffic = 0;
    for (const p of group.partitions) {
      const t = byName.get(p.model)?.tables[p.table];
      if (t === undefined) continue;
      const perRow = rowBytes(dtype, t.dim);
      bytes += (p.rowEnd - p.rowStart) * perRow;
      traffic += (t.pool * perRow * (p.rowEnd - p.rowStart)) / t.rows;
    }
    const budget =
      budgetBytes === undefined
        ? Infinity
        : typeof budgetBytes === 'number'
          ? budgetBytes
          : (budgetBytes[g] ?? Infinity);
    return {
      id: group.id,
      bytes,
      budgetBytes: budget,
      gatheredBytesPerItem: traffic,
      partitions: group.partitions.length,
    };
  });
}
