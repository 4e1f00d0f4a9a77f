import { validateBags } from '@recmesh/backend';
import { invalidArgument } from '@recmesh/errors';
import type { ModelSpec } from '@recmesh/models';
import { bagOffsets, type RankRequest } from '@recmesh/proto';
import { asF32, asI32, asU64 } from '@recmesh/rpc';

/** Bags over one table, (indices, offsets) form, global row ids. */
export interface Bags {
  readonly indices: Int32Array;
  readonly offsets: Int32Array;
  readonly weights: Float32Array | undefined;
}

/** Where a table's bag for each item comes from. */
export type TableSource =
  | { readonly kind: 'items'; readonly bags: Bags }
  | { readonly kind: 'user'; readonly bags: Bags }
  | { readonly kind: 'none' };

/** A validated Rank query, tensors viewed in place. */
export interface Query {
  /** The spec of the version the query is pinned to. */
  readonly spec: ModelSpec;
  readonly count: number;
  readonly topK: number;
  /** float32 [dense_features], shared by every item (absent when items carry their own). */
  readonly userDense: Float32Array | undefined;
  /** float32 [count][dense_features]. */
  readonly itemDense: Float32Array | undefined;
  readonly itemIds: BigUint64Array | undefined;
  readonly tables: readonly TableSource[];
  /** Weight of each task in the ranking score (the request's, else the model's). */
  readonly taskWeights: readonly number[];
}

function tensor<T>(field: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw invalidArgument(field, 'bytes', (err as Error).message);
  }
}

function tableOf(field: string, table: number, spec: ModelSpec, seen: Set<number>): number {
  if (!(table < spec.tables.length))
    throw invalidArgument(field, table, `${spec.name} has tables 0..${spec.tables.length - 1}`);
  if (seen.has(table)) throw invalidArgument(field, table, 'table given twice');
  seen.add(table);
  return table;
}

/**
 * Checks a Rank request against its model and the configured maximum, naming the field and the
 * value at fault: empty or over-large query, dense width, table ids, offsets (start at 0, never
 * decrease, one bag per item), indices inside their table, weights matching the indices.
 */
export function parseQuery(request: RankRequest, spec: ModelSpec, maxItems: number): Query {
  const items = request.items;
  const count = items?.count ?? 0;
  if (count === 0) throw invalidArgument('items.count', count, 'the query has no candidate items');
  if (count > maxItems)
    throw invalidArgument(
      'items.count',
      count,
      `more items than the configured maximum of ${maxItems}`,
    );
  const f = spec.denseFeatures;

  const itemDense =
    items !== undefined && items.dense.length > 0
      ? tensor('items.dense', () => asF32(items.dense, 'items.dense'))
      : undefined;
  if (itemDense !== undefined && itemDense.length !== count * f) {
    throw invalidArgument(
      'items.dense',
      `${itemDense.length} floats`,
      `expected ${count} items x ${f} dense features`,
    );
  }
  const userDenseBytes = request.user?.dense;
  const userDense =
    userDenseBytes !== undefined && userDenseBytes.length > 0
      ? tensor('user.dense', () => asF32(userDenseBytes, 'user.dense'))
      : undefined;
  if (userDense !== undefined && userDense.length !== f) {
    throw invalidArgument(
      'user.dense',
      `${userDense.length} floats`,
      `${spec.name} has ${f} dense features`,
    );
  }
  if (userDense === undefined && itemDense === undefined && f > 0) {
    throw invalidArgument(
      'user.dense',
      'empty',
      `${spec.name} needs ${f} dense features (user.dense, or items.dense per item)`,
    );
  }
  const itemIds =
    items !== undefined && items.itemIds.length > 0
      ? tensor('items.item_ids', () => asU64(items.itemIds, 'items.item_ids'))
      : undefined;
  if (itemIds !== undefined && itemIds.length !== count) {
    throw invalidArgument(
      'items.item_ids',
      `${itemIds.length} ids`,
      `expected one per item (${count})`,
    );
  }

  const tables: TableSource[] = spec.tables.map(() => ({ kind: 'none' }));
  const seenItems = new Set<number>();
  (items?.sparse ?? []).forEach((s, i) => {
    const field = `items.sparse[${i}]`;
    const t = tableOf(`${field}.table`, s.table, spec, seenItems);
    const b = s.bags;
    const indices = tensor(`${field}.bags.indices`, () =>
      asI32(b?.indices ?? Buffer.alloc(0), `${field}.bags.indices`),
    );
    const sent = tensor(`${field}.bags.offsets`, () =>
      asI32(b?.offsets ?? Buffer.alloc(0), `${field}.bags.offsets`),
    );
    // Offsets left empty: one index per item (bagOffsets).
    const offsets = bagOffsets(indices, sent);
    const weights =
      b !== undefined && b.weights.length > 0
        ? tensor(`${field}.bags.weights`, () => asF32(b.weights, `${field}.bags.weights`))
        : undefined;
    if (offsets.length !== count) {
      throw invalidArgument(
        `${field}.bags.offsets`,
        sent.length === 0
          ? `empty (one bag per index: ${indices.length} bags)`
          : `${offsets.length} bags`,
        `expected one bag per item (${count})`,
      );
    }
    validateBags(`${field}.bags`, spec.tables[t]?.rows ?? 0, indices, offsets, weights);
    tables[t] = { kind: 'items', bags: { indices, offsets, weights } };
  });
  const seenUser = new Set<number>();
  (request.user?.sparse ?? []).forEach((s, i) => {
    const field = `user.sparse[${i}]`;
    const t = tableOf(`${field}.table`, s.table, spec, seenUser);
    const indices = tensor(`${field}.indices`, () => asI32(s.indices, `${field}.indices`));
    const weights =
      s.weights.length > 0
        ? tensor(`${field}.weights`, () => asF32(s.weights, `${field}.weights`))
        : undefined;
    const offsets = Int32Array.of(0);
    validateBags(field, spec.tables[t]?.rows ?? 0, indices, offsets, weights);
    // The items' own bags win over the user's for the same table.
    if (tables[t]?.kind === 'none')
      tables[t] = { kind: 'user', bags: { indices, offsets, weights } };
  });

  const topK = request.topK === 0 ? count : Math.min(request.topK, count);
  return {
    spec,
    count,
    topK,
    userDense: userDense ?? (f === 0 ? new Float32Array(0) : undefined),
    itemDense,
    itemIds,
    tables,
    taskWeights: taskWeightsOf(request.taskWeights, spec),
  };
}

/** The request's task weights, checked against the model's tasks; empty: the model's own. */
function taskWeightsOf(weights: readonly number[], spec: ModelSpec): readonly number[] {
  if (weights.length === 0) return spec.tasks.map((t) => t.weight);
  if (weights.length !== spec.tasks.length)
    throw invalidArgument(
      'task_weights',
      weights,
      `${spec.name} has ${spec.tasks.length} tasks (${spec.tasks.map((t) => t.name).join(', ')})`,
    );
  weights.forEach((w, k) => {
    if (!(Number.isFinite(w) && w >= 0))
      throw invalidArgument(`task_weights[${k}]`, w, 'must be a finite number >= 0');
  });
  if (!weights.some((w) => w > 0))
    throw invalidArgument('task_weights', weights, 'must give some task a weight above 0');
  return weights;
}
