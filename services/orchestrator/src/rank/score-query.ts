import {
  encodePredictRequest,
  isOneHot,
  Pooling,
  type LookupResponse,
  type PredictRequest,
  type TableLookup,
} from '@recmesh/proto';
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

/** A table's bags as a lookup on the wire; one index per bag goes without its offsets. */
function tableLookup(table: number, bags: Bags, pooling: Pooling): TableLookup {
  return {
    table,
    pooling,
    bags: {
      indices: bytesOf(bags.indices),
      offsets: isOneHot(bags.indices, bags.offsets) ? Buffer.alloc(0) : bytesOf(bags.offsets),
      weights: bags.weights === undefined ? Buffer.alloc(0) : bytesOf(bags.weights),
    },
  };
}

/** One bag of no rows: a table neither the user nor the items carry, pooled to zeros. */
const NO_ROWS: Bags = {
  indices: new Int32Array(0),
  offsets: new Int32Array(1),
  weights: undefined,
};

/**
 * The Predict lookups of items [start, end) for a worker that holds the model's tables: every
 * table in order, the items' sliced, the user's (and a table no one carries) as one bag.
 */
function workerLookups(query: Query, start: number, end: number): TableLookup[] {
  return query.spec.tables.map((t, table) => {
    const source = query.tables[table];
    const bags =
      source?.kind === 'items'
        ? sliceBags(source.bags, start, end)
        : source?.kind === 'user'
          ? source.bags
          : NO_ROWS;
    return tableLookup(
      table,
      bags,
      t.pooling === 'mean' ? Pooling.POOLING_MEAN : Pooling.POOLING_SUM,
    );
  });
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
 * Pools `tables` (every table's bags for the same samples) through the shards into `into` (per
 * table, the float32 [bags][dim] bytes it goes to): one Lookup per shard group; a table one
 * shard holds whole and sum-pools is copied from the reply byte for byte (the reply's bytes are
 * rarely 4-byte aligned, and `into` may not be either), the partial sums of a row-wise split
 * table are added up and mean pooling applied in a float32 tensor first.
 */
async function pool(
  deps: FanOutDeps,
  query: Query,
  tables: readonly { table: number; bags: Bags }[],
  into: (table: number) => Uint8Array,
  context: CallContext,
  stats: QueryStats,
): Promise<void> {
  const byGroup = planLookups(deps, query, tables);
  const started = performance.now();
  const replies = await Promise.all(
    [...byGroup].map(async ([group, parts]) => {
      const lookups = parts.map((p) => tableLookup(p.table, p.bags, Pooling.POOLING_SUM));
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
  /** Lookups sent per table: more than one for a table split row-wise over shard groups. */
  const parts = new Map<number, number>();
  for (const sent of byGroup.values())
    for (const { table } of sent) parts.set(table, (parts.get(table) ?? 0) + 1);
  const mean = (table: number) => query.spec.tables[table]?.pooling === 'mean';
  /** Replies pooling each table: one per part sent, or `into` holds what was there before. */
  const got = new Map<number, number>();
  /** Float32 sums of the tables that need arithmetic (split row-wise, or mean-pooled). */
  const sums = new Map<number, Float32Array>();
  for (const reply of replies) {
    addCompute(stats, reply.shardId, reply.computeMs);
    stats.shards.add(reply.shardId);
    stats.embeddingBackends.add(reply.backend);
    for (const pooled of reply.pooled) {
      if (!parts.has(pooled.table))
        throw new RecmeshError(
          'internal',
          `shard ${reply.shardId} pooled table ${pooled.table} of ${query.spec.name}, which it was not sent`,
        );
      got.set(pooled.table, (got.get(pooled.table) ?? 0) + 1);
      const dest = into(pooled.table);
      if (pooled.values.byteLength !== dest.byteLength)
        throw new RecmeshError(
          'internal',
          `shard ${reply.shardId} pooled ${pooled.values.byteLength} bytes for table ${pooled.table} of ${query.spec.name}; ${dest.byteLength} expected`,
        );
      if ((parts.get(pooled.table) ?? 1) === 1 && !mean(pooled.table)) {
        dest.set(pooled.values);
        continue;
      }
      const values = asF32(pooled.values, 'pooled.values');
      const acc = sums.get(pooled.table);
      if (acc === undefined) sums.set(pooled.table, values.slice());
      else for (let k = 0; k < acc.length; k++) acc[k] = (acc[k] as number) + (values[k] as number);
    }
  }
  const dim = query.spec.dim;
  for (const { table, bags } of tables) {
    if (got.get(table) !== parts.get(table))
      throw new RecmeshError(
        'internal',
        `the shards pooled table ${table} of ${query.spec.name} ${got.get(table) ?? 0} times for ${parts.get(table) ?? 0} lookups sent`,
      );
    const acc = sums.get(table);
    if (acc === undefined) continue;
    if (mean(table))
      bagLengths(bags).forEach((n, b) => {
        if (n > 0)
          for (let d = 0; d < dim; d++) acc[b * dim + d] = (acc[b * dim + d] as number) / n;
      });
    into(table).set(bytesOf(acc));
  }
}

/**
 * Scores every item of `query` at the version it is pinned to: items cut into batches of
 * `batchSize`; each batch pools its items' bags, then one dense call scores it; the user's own
 * bags are pooled once for the whole query, in the first batch's Lookup. Batches run
 * concurrently, at most `deps.maxBatchesInFlight` at once: the others have sent nothing yet, so
 * a query cancelled half-way stops sending at once, and one large query cannot queue all its
 * batches' tensors on the shards and workers ahead of everyone else's. Returns float32
 * [count][tasks].
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
  // The user's rows, pooled once for the whole query by the first batch's Lookup (one call per
  // shard group carries the user's tables and that batch's items); the other batches await them.
  const rows = new Map(userTables.map(({ table }) => [table, new Float32Array(dim)]));
  let userDone!: { resolve: () => void; reject: (err: unknown) => void };
  const userPooled = new Promise<void>((resolve, reject) => {
    userDone = { resolve, reject };
  });
  // Settled now so that a failing user lookup is reported once, by the batches that await it.
  userPooled.catch(() => undefined);
  // Tables whose vector is the same for every item: sent once per batch, not once per item.
  const shared = spec.tables.flatMap((_, table) =>
    query.tables[table]?.kind === 'items' ? [] : [table],
  );

  const tasks = spec.tasks.length;
  const scores = new Float32Array(count * tasks);
  const batches = Math.ceil(count / batchSize);
  stats.batches = batches;
  // Workers holding the model's tables pool the batch's rows themselves: no shard round trip.
  const workerTables = deps.router.workerTables(spec.name, spec.version, workerPool);
  await forEachLimited(batches, deps.maxBatchesInFlight ?? batches, async (b) => {
    const start = b * batchSize;
    const end = Math.min(count, start + batchSize);
    const n = end - start;
    /** Scores the batch's Predict request; `ended` once it may be written over. */
    const scoreBatch = async (request: PredictRequest, ended: () => void): Promise<void> => {
      const started = performance.now();
      const reply = await predict(deps, request, context, workerPool, ended);
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
    };
    const denseRows =
      query.itemDense !== undefined
        ? query.itemDense.subarray(start * spec.denseFeatures, end * spec.denseFeatures)
        : (query.userDense as Float32Array);
    const buffers = deps.predictBuffers;
    const head = {
      model: spec.name,
      version: spec.version,
      batch: n,
      dense: bytesOf(denseRows),
      sharedTables: shared,
    };
    if (workerTables) {
      const { request, wire } = encodePredictRequest<PredictRequest>(
        { ...head, lookups: workerLookups(query, start, end) },
        0,
        buffers?.take,
      );
      await scoreBatch(request, () => buffers?.give(wire));
      return;
    }
    // The Predict request is written first; the shards' replies are copied straight into its
    // embeddings, float32 [table][item][dim] (table-major, as the dense graph reads them), but
    // one row for each shared table (the user's, or none), which the dense worker repeats.
    const rowBytes = dim * 4;
    const starts = new Int32Array(t + 1);
    for (let table = 0; table < t; table++)
      starts[table + 1] =
        (starts[table] as number) + (query.tables[table]?.kind === 'items' ? n : 1) * rowBytes;
    const { request, embeddings, wire } = encodePredictRequest<PredictRequest>(
      { ...head, lookups: [] },
      starts[t] as number,
      buffers?.take,
    );
    const region = (table: number) =>
      embeddings.subarray(starts[table] as number, starts[table + 1] as number);
    const itemTables = query.tables.flatMap((s, table) =>
      s.kind === 'items' ? [{ table, bags: sliceBags(s.bags, start, end) }] : [],
    );
    const tables = b === 0 ? [...itemTables, ...userTables] : itemTables;
    const into = (table: number) => {
      const row = rows.get(table);
      return row === undefined ? region(table) : bytesOf(row);
    };
    const pooled =
      tables.length > 0 ? pool(deps, query, tables, into, context, stats) : Promise.resolve();
    if (b === 0) pooled.then(userDone.resolve, userDone.reject);
    await Promise.all([pooled, userPooled]);
    for (const table of shared) {
      const row = rows.get(table);
      // A table neither the user nor the items carry pools to zeros.
      if (row === undefined) region(table).fill(0);
      else region(table).set(bytesOf(row));
    }
    await scoreBatch(request, () => buffers?.give(wire));
  });
  return scores;
}
