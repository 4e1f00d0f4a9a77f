import { isOneHot, type Bags, type RankRequest, type RankResponse } from '@recmesh/proto';

/** One table's bags for the candidates, EmbeddingBag's (indices, offsets) form. */
export interface PlainItemSparse {
  readonly table: number;
  readonly indices: Int32Array | readonly number[];
  /**
   * Start of each item's bag in `indices`: one per item. Leave it out when each item has exactly
   * one index (a one-hot feature); offsets of that form are left off the wire either way.
   */
  readonly offsets?: Int32Array | readonly number[];
  readonly weights?: Float32Array | readonly number[];
}

export interface PlainUserSparse {
  readonly table: number;
  readonly indices: Int32Array | readonly number[];
  readonly weights?: Float32Array | readonly number[];
}

/** A Rank query as plain arrays; toRankRequest packs it into the wire's little-endian bytes. */
export interface PlainQuery {
  readonly model: string;
  readonly topK?: number;
  /** Multi-task models: each task's weight in the ranking score (default: the model's). */
  readonly taskWeights?: readonly number[];
  readonly user: {
    readonly dense?: Float32Array | readonly number[];
    readonly sparse?: readonly PlainUserSparse[];
  };
  readonly items: {
    readonly count: number;
    readonly itemIds?: readonly (bigint | number)[];
    readonly dense?: Float32Array | readonly number[];
    readonly sparse?: readonly PlainItemSparse[];
  };
}

/** A ranked item, JSON-friendly. */
export interface PlainRankedItem {
  readonly itemId: string;
  readonly index: number;
  readonly score: number;
  /** Multi-task models: each task's score (RankResponse.tasks order). */
  readonly taskScores?: readonly number[];
}

const f32 = (v: Float32Array | readonly number[] | undefined): Buffer => {
  if (v === undefined) return Buffer.alloc(0);
  const a = v instanceof Float32Array ? v : Float32Array.from(v);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
};

const asInt32 = (v: Int32Array | readonly number[]): Int32Array =>
  v instanceof Int32Array ? v : Int32Array.from(v);

const i32 = (v: Int32Array | readonly number[]): Buffer => {
  const a = asInt32(v);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
};

/** A candidate table's bags on the wire; one index per bag goes without its offsets. */
function bagsOf(s: PlainItemSparse): Bags {
  const indices = asInt32(s.indices);
  const offsets = s.offsets === undefined ? undefined : asInt32(s.offsets);
  return {
    indices: i32(indices),
    offsets: offsets === undefined || isOneHot(indices, offsets) ? Buffer.alloc(0) : i32(offsets),
    weights: f32(s.weights),
  };
}

/** Packs a plain query into a RankRequest (tensors as little-endian bytes). */
export function toRankRequest(q: PlainQuery): RankRequest {
  const ids =
    q.items.itemIds === undefined
      ? undefined
      : BigUint64Array.from(q.items.itemIds, (x) => BigInt(x));
  return {
    model: q.model,
    topK: q.topK ?? 0,
    taskWeights: [...(q.taskWeights ?? [])],
    user: {
      dense: f32(q.user.dense),
      sparse: (q.user.sparse ?? []).map((s) => ({
        table: s.table,
        indices: i32(s.indices),
        weights: f32(s.weights),
      })),
    },
    items: {
      count: q.items.count,
      itemIds: ids === undefined ? Buffer.alloc(0) : Buffer.from(ids.buffer),
      dense: f32(q.items.dense),
      sparse: (q.items.sparse ?? []).map((s) => ({ table: s.table, bags: bagsOf(s) })),
    },
  };
}

/** The ranking of a RankResponse as plain objects. */
export function rankedItems(response: RankResponse): PlainRankedItem[] {
  return response.items.map((i) => ({
    itemId: i.itemId,
    index: i.index,
    score: i.score,
    ...(i.taskScores.length > 0 ? { taskScores: i.taskScores } : {}),
  }));
}
