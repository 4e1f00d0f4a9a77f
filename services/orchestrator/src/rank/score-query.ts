import { Pooling, type LookupResponse, type TableLookup } from '@recmesh/proto';
import { asF32, bytesOf, type CallContext } from '@recmesh/rpc';
import { RecmeshError, unavailable } from '@recmesh/errors';
import { bagLengths, sliceBags, splitByRows } from './bags';
import { forEachLimited } from './for-each-limited';
import { lookup, predict, type FanOutDeps } from './fan-out';
import type { Bags, Query } from './parse-query';

/** What the sub-calls of one query did. */
export interface QueryStats {
  batches: number;
  embeddingMs: number;
  denseMs: number;
  /** Kernel and graph time reported by shards and workers, summed. */
  computeMs: number;
  /**
   * Each sub-call's compute, the instance that did it and when its reply came: receipts cost each
   * on its own hardware at the grid factor of that moment, as the ledger costs its usage.
   */
  readonly subCalls: SubCall[];
  readonly shards: Set<string>;
  readonly workers: Set<string>;
  readonly embeddingBackends: Set<string>;
  readonly denseBackends: Set<string>;
}

export interface SubCall {
  readonly instance: string;
  readonly computeMs: number;
  readonly atMs: number;
}

function addCompute(stats: QueryStats, instance: string, ms: number): void {
  stats.computeMs += ms;
  stats.subCalls.push({ instance, computeMs: ms, atMs: Date.now() });
}

interface Part {
  readonly table: number;
  readonly bags: Bags;
}

/** Lookups of `parts` grouped by shard group, for one request per group. */
function planLookups(
  deps: FanOutDeps,
  query: Query,
  tables: readonly { table: number; bags: Bags }[],
): Map<string, Part[]> {
  const byGroup = new Map<string, Part[]>();
  const { name, version } = query.spec;
  for (const { table, bags } of tables) {
    const routes = deps.router.tableRoutes(name, version, table);
    if (routes === undefined) {
      throw unavailable(
        `no live embedding shard holds all rows of ${name} version ${version} table ${table}`,
      );
    }
    splitByRows(bags, routes).forEach((part, r) => {
      const group = (routes[r] as { group: string }).group;
      byGroup.set(group, [...(byGroup.get(group) ?? []), { table, bags: part }]);
    });
  }
  return byGroup;
}

/**
 * Pools `tables` (every table's bags for the same samples) through the shards: one Lookup per
 * shard group, partial sums of row-wise split tables added up, mean pooling applied after.
 * Returns, per table, float32 [bags][dim].
 */
async function pool(
  deps: FanOutDeps,
  query: Query,
  tables: readonly { table: number; bags: Bags }[],
  bagCount: number,
  context: CallContext,
  stats: QueryStats,
): Promise<Map<number, Float32Array>> {
  const dim = query.spec.dim;
  const out = new Map<number, Float32Array>(
    tables.map(({ table }) => [table, new Float32Array(bagCount * dim)]),
  );
  const byGroup = planLookups(deps, query, tables);
  const started = performance.now();
  const replies = await Promise.all(
    [...byGroup].map(async ([group, parts]) => {
      const lookups: TableLookup[] = parts.map((p) => ({
        table: p.table,
        pooling: Pooling.POOLING_SUM,
        bags: {
          indices: bytesOf(p.bags.indices),
          offsets: bytesOf(p.bags.offsets),
          weights: p.bags.weights === undefined ? Buffer.alloc(0) : bytesOf(p.bags.weights),
        },
      }));
      const reply: LookupResponse = await lookup(
        deps,
        group,
        { model: query.spec.name, version: query.spec.version, lookups },
        context,
      );
      return reply;
    }),
  );
  stats.embeddingMs += performance.now() - started;
  const filled = new Set<number>();
  for (const reply of replies) {
    addCompute(stats, reply.shardId, reply.computeMs);
    stats.shards.add(reply.shardId);
    stats.embeddingBackends.add(reply.backend);
    for (const pooled of reply.pooled) {
      const acc = out.get(pooled.table) as Float32Array;
      if (pooled.values.byteLength !== acc.byteLength)
        throw new RecmeshError(
          'internal',
          `shard ${reply.shardId} pooled ${pooled.values.byteLength} bytes for table ${pooled.table} of ${query.spec.name}; ${acc.byteLength} expected`,
        );
      // The first partial sum of a table is copied byte for byte (the reply's bytes are rarely
      // 4-byte aligned; a float view would copy them once more), later ones (row-wise splits) added.
      if (filled.has(pooled.table)) {
        const values = asF32(pooled.values, 'pooled.values');
        for (let k = 0; k < acc.length; k++) acc[k] = (acc[k] as number) + (values[k] as number);
      } else {
        new Uint8Array(acc.buffer, acc.byteOffset, acc.byteLength).set(pooled.values);
        filled.add(pooled.table);
      }
    }
  }
  if (query.spec.tables.some((t) => t.pooling === 'mean')) {
    for (const { table, bags } of tables) {
      if (query.spec.tables[table]?.pooling !== 'mean') continue;
      const acc = out.get(table) as Float32Array;
      bagLengths(bags).forEach((n, b) => {
        if (n > 0)
          for (let d = 0; d < dim; d++) acc[b * dim + d] = (acc[b * dim + d] as number) / n;
      });
    }
  }
  return out;
}

/**
 * Scores every item of `query` at the version it is pinned to: items cut into batches of
 * `batchSize`; the user's own bags are pooled once for the whole query; each batch pools its
 * items' bags, then one dense call scores it. Batches run concurrently, at most
 * `deps.maxBatchesInFlight` at once: the others have sent nothing yet, so a query cancelled
 * half-way stops sending at once, and one large query cannot queue all its batches' tensors on
 * the shards and workers ahead of everyone else's. Returns float32 [count][tasks].
 */
export async function scoreQuery(
  deps: FanOutDeps,
  query: Query,
  batchSize: number,
  context: CallContext,
  stats: QueryStats,
  workerPool: 'cpu' | 'accel' = 'cpu',
): Promise<Float32Array> {
  const { spec, count } = query;
  const dim = spec.dim;
  const t = spec.tables.length;
  const userTables = query.tables.flatMap((s, table) =>
    s.kind === 'user' ? [{ table, bags: s.bags }] : [],
  );
  const userPooled =
    userTables.length > 0
      ? pool(deps, query, userTables, 1, context, stats)
      : Promise.resolve(new Map<number, Float32Array>());
  // Settled now so that a failing user lookup is reported once, by the batches that await it.
  userPooled.catch(() => undefined);

  const tasks = spec.tasks.length;
  const scores = new Float32Array(count * tasks);
  const batches = Math.ceil(count / batchSize);
  stats.batches = batches;
  await forEachLimited(batches, deps.maxBatchesInFlight ?? batches, async (b) => {
    const start = b * batchSize;
    const end = Math.min(count, start + batchSize);
    const n = end - start;
    const itemTables = query.tables.flatMap((s, table) =>
      s.kind === 'items' ? [{ table, bags: sliceBags(s.bags, start, end) }] : [],
    );
    const [pooled, user] = await Promise.all([
      itemTables.length > 0
        ? pool(deps, query, itemTables, n, context, stats)
        : new Map<number, Float32Array>(),
      userPooled,
    ]);
    const embeddings = new Float32Array(t * n * dim);
    for (let table = 0; table < t; table++) {
      const base = table * n * dim;
      const items = pooled.get(table);
      const row = user.get(table);
      if (items !== undefined) embeddings.set(items, base);
      else if (row !== undefined) {
        // The user's row for every item, by doubling: log2(n) copies instead of n (a hot
        // loop of large filter stages in the orchestrator's profile).
        embeddings.set(row, base);
        for (let done = 1; done < n; done *= 2)
          embeddings.copyWithin(base + done * dim, base, base + Math.min(done, n - done) * dim);
      }
    }
    const dense =
      query.itemDense !== undefined
        ? query.itemDense.subarray(start * spec.denseFeatures, end * spec.denseFeatures)
        : (query.userDense as Float32Array);
    const started = performance.now();
    const reply = await predict(
      deps,
      {
        model: spec.name,
        version: spec.version,
        batch: n,
        dense: bytesOf(dense),
        embeddings: bytesOf(embeddings),
      },
      context,
      workerPool,
    );
    stats.denseMs += performance.now() - started;
    addCompute(stats, reply.workerId, reply.computeMs);
    stats.workers.add(reply.workerId);
    stats.denseBackends.add(reply.backend);
    const got = asF32(reply.scores, 'scores');
    if (got.length !== n * tasks)
      throw new RecmeshError(
        'internal',
        `dense worker ${reply.workerId} gave ${got.length} scores for ${n} items x ${tasks} tasks of ${spec.name} version ${spec.version}`,
      );
    scores.set(got, start * tasks);
  });
  return scores;
}
