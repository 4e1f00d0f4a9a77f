import type { PlainQuery } from '@recmesh/client';
import { DENSE_FEATURES } from './dataset-config';
import type { RankingQuery } from './samples';
import type { World } from './world';

/**
 * A ranking query as a Rank request to `model` (a model or a pipeline): the user's ids as the
 * user's bags (one id per user table), each candidate's dense features and its ids in the item
 * tables (one id per bag: no offsets).
 */
export function plainQueryOf(
  world: World,
  q: RankingQuery,
  model: string,
  topK: number,
): PlainQuery {
  const U = world.config.userTables;
  const T = world.tableRows.length;
  const I = T - U;
  const n = q.items.length;
  const dense = new Float32Array(n * DENSE_FEATURES);
  const columns = Array.from({ length: I }, () => new Int32Array(n));
  q.items.forEach((item, k) => {
    dense.set(
      world.itemDense.subarray(item * DENSE_FEATURES, (item + 1) * DENSE_FEATURES),
      k * DENSE_FEATURES,
    );
    for (let c = 0; c < I; c++)
      (columns[c] as Int32Array)[k] = world.itemIds[item * I + c] as number;
  });
  return {
    model,
    topK,
    user: {
      sparse: Array.from({ length: U }, (_, t) => ({
        table: t,
        indices: [world.userIds[q.user * U + t] as number],
      })),
    },
    items: {
      count: n,
      dense,
      sparse: columns.map((indices, c) => ({ table: U + c, indices })),
    },
  };
}
