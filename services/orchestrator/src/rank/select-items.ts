import { RecmeshError } from '@recmesh/errors';
import type { ModelSpec } from '@recmesh/models';
import type { Bags, Query, TableSource } from './parse-query';

/** The bags of items `kept` (positions into `bags`), in that order. */
function subsetBags(bags: Bags, kept: Uint32Array): Bags {
  const { indices, offsets, weights } = bags;
  const end = (i: number) => (i + 1 < offsets.length ? (offsets[i + 1] as number) : indices.length);
  let total = 0;
  for (const i of kept) total += end(i) - (offsets[i] as number);
  const outIndices = new Int32Array(total);
  const outOffsets = new Int32Array(kept.length);
  const outWeights = weights === undefined ? undefined : new Float32Array(total);
  let at = 0;
  for (let k = 0; k < kept.length; k++) {
    const i = kept[k] as number;
    const from = offsets[i] as number;
    const to = end(i);
    outOffsets[k] = at;
    for (let j = from; j < to; j++) outIndices[at + j - from] = indices[j] as number;
    if (outWeights !== undefined)
      for (let j = from; j < to; j++) outWeights[at + j - from] = weights?.[j] as number;
    at += to - from;
  }
  return { indices: outIndices, offsets: outOffsets, weights: outWeights };
}

/**
 * Whether `next` reads the same features as `spec` (dense width, table count and rows), so that
 * a query checked against one is valid for the other.
 */
export function sameFeatures(spec: ModelSpec, next: ModelSpec): boolean {
  return (
    spec.denseFeatures === next.denseFeatures &&
    spec.tables.length === next.tables.length &&
    spec.tables.every((t, i) => t.rows === next.tables[i]?.rows)
  );
}

/**
 * The items `kept` (positions into `query`) of a checked query, as a query of model `next` (a
 * pipeline's next stage): item bags, dense features and ids cut to those items; the user's own
 * features unchanged.
 */
export function selectItems(query: Query, kept: Uint32Array, next: ModelSpec): Query {
  if (!sameFeatures(query.spec, next))
    throw new RecmeshError(
      'failed_precondition',
      `model ${next.name} version ${next.version} does not read the features of ${query.spec.name} version ${query.spec.version} (dense width, tables, rows): they cannot be stages of one pipeline`,
    );
  const f = query.spec.denseFeatures;
  let itemDense: Float32Array | undefined;
  if (query.itemDense !== undefined) {
    const from = query.itemDense;
    itemDense = new Float32Array(kept.length * f);
    kept.forEach((i, k) => itemDense?.set(from.subarray(i * f, (i + 1) * f), k * f));
  }
  const tables: TableSource[] = query.tables.map((s) =>
    s.kind === 'items' ? { kind: 'items', bags: subsetBags(s.bags, kept) } : s,
  );
  const sameTasks = next.tasks.length === query.spec.tasks.length;
  return {
    spec: next,
    count: kept.length,
    topK: query.topK,
    userDense: query.userDense,
    itemDense,
    itemIds:
      query.itemIds === undefined
        ? undefined
        : BigUint64Array.from(kept, (i) => query.itemIds?.[i] ?? 0n),
    tables,
    taskWeights: sameTasks ? query.taskWeights : next.tasks.map((t) => t.weight),
  };
}
