import type { PlainQuery } from '@recmesh/client';
import type { Rng } from './rng';

/**
 * A random query for `spec` as DLRM's random data generator makes them: dense features uniform
 * in [0, 1), for every item and table a bag of `pool` ids uniform over the table's rows.
 */
export interface QueryShape {
  readonly name: string;
  readonly denseFeatures: number;
  readonly tables: readonly { readonly rows: number; readonly pool: number }[];
}

export function syntheticQuery(spec: QueryShape, count: number, rng: Rng, topK = 10): PlainQuery {
  const dense = new Float32Array(spec.denseFeatures);
  for (let i = 0; i < dense.length; i++) dense[i] = rng.next();
  const sparse = spec.tables.map((t, table) => {
    const indices = new Int32Array(count * t.pool);
    for (let i = 0; i < indices.length; i++) indices[i] = rng.int(t.rows);
    const offsets = new Int32Array(count);
    for (let b = 0; b < count; b++) offsets[b] = b * t.pool;
    return { table, indices, offsets };
  });
  return { model: spec.name, topK, user: { dense }, items: { count, sparse } };
}
