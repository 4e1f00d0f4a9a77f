import { invalidArgument } from '@recmesh/errors';
import { Rng } from '@recmesh/workload';
import { DENSE_FEATURES } from './dataset-config';
import { checkUser, clickProbability, type World } from './world';

/** Impressions: one (user, item) pair a row, Criteo's layout (13 dense, 26 ids, a label). */
export interface Samples {
  readonly count: number;
  /** float32 [count][13]: the item's dense features. */
  readonly dense: Float32Array;
  /** int32 [count][26]: the user's ids, then the item's. */
  readonly ids: Int32Array;
  /** 0 or 1, drawn with the planted click probability. */
  readonly labels: Uint8Array;
  /** The planted click probability of each row (for the Bayes-optimal reference loss). */
  readonly truth: Float32Array;
}

/** Writes the 26 ids of (user, item) at ids[offset ...]. */
export function pairIds(
  world: World,
  user: number,
  item: number,
  ids: Int32Array,
  offset: number,
): void {
  const U = world.config.userTables;
  const I = world.tableRows.length - U;
  ids.set(world.userIds.subarray(user * U, (user + 1) * U), offset);
  ids.set(world.itemIds.subarray(item * I, (item + 1) * I), offset + U);
}

/**
 * `count` impressions of uniformly drawn users and items, labels drawn from the planted
 * probabilities; stream `stream` of the world's seed (0 for training, 1 for held-out, ...).
 */
export function drawSamples(world: World, count: number, stream: number): Samples {
  if (!(Number.isInteger(count) && count > 0))
    throw invalidArgument('count', count, 'a positive integer');
  const rng = new Rng((world.config.seed * 7919 + 104729 * (stream + 1)) >>> 0);
  const T = world.tableRows.length;
  const dense = new Float32Array(count * DENSE_FEATURES);
  const ids = new Int32Array(count * T);
  const labels = new Uint8Array(count);
  const truth = new Float32Array(count);
  for (let r = 0; r < count; r++) {
    const user = rng.int(world.config.users);
    const item = rng.int(world.config.items);
    dense.set(
      world.itemDense.subarray(item * DENSE_FEATURES, (item + 1) * DENSE_FEATURES),
      r * DENSE_FEATURES,
    );
    pairIds(world, user, item, ids, r * T);
    const p = clickProbability(world, user, item);
    truth[r] = p;
    labels[r] = rng.next() < p ? 1 : 0;
  }
  return { count, dense, ids, labels, truth };
}

/** One ranking query: a user and distinct candidate items, with their planted relevance. */
export interface RankingQuery {
  readonly user: number;
  /** Item ids in the catalogue, in candidate order. */
  readonly items: Int32Array;
  /** The planted click probability of each candidate. */
  readonly probability: Float32Array;
}

/**
 * `count` queries of `candidates` distinct items each (uniform without replacement), users
 * uniform; deterministic on (world seed, stream).
 */
export function drawQueries(
  world: World,
  count: number,
  candidates: number,
  stream: number,
): RankingQuery[] {
  if (!(Number.isInteger(candidates) && candidates > 0 && candidates <= world.config.items))
    throw invalidArgument(
      'candidates',
      candidates,
      `in 1..${world.config.items} (the catalogue's items)`,
    );
  const rng = new Rng((world.config.seed * 6271 + 15485863 * (stream + 1)) >>> 0);
  const pool = new Int32Array(world.config.items);
  const out: RankingQuery[] = [];
  for (let q = 0; q < count; q++) {
    const user = rng.int(world.config.users);
    checkUser(world, user);
    for (let i = 0; i < pool.length; i++) pool[i] = i;
    // Partial Fisher-Yates: the first `candidates` entries become a uniform sample.
    for (let i = 0; i < candidates; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = t;
    }
    const items = pool.slice(0, candidates);
    const probability = Float32Array.from(items, (item) => clickProbability(world, user, item));
    out.push({ user, items, probability });
  }
  return out;
}
