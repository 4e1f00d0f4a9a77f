import { invalidArgument } from '@recmesh/errors';
import { Rng } from '@recmesh/workload';
import { dataConfig, datasetTableRows, DENSE_FEATURES, type DataConfig } from './dataset-config';
import { ZipfSampler } from './zipf';

/**
 * The planted structure the data is drawn from: users and items with fixed sparse ids and item
 * dense features, and the true click probability of every (user, item) pair:
 *
 *   logit(u, i) = affinity * (U_u . V_i) + sum_t b_t[id_t(i)] + w . dense_i + offset
 *
 * U_u is the sum of the latent vectors (normal(0, 1) entries) of the user's ids in the user tables
 * with at least latentMinRows rows, over sqrt(their count); V_i the same over the item tables.
 * b_t are per-id biases of the item tables, w planted dense weights. A DLRM with the dot
 * interaction can represent this exactly (its pairwise dot products of embeddings include every
 * user-table x item-table pair), so relevance is known and learnable.
 */
export interface World {
  readonly config: DataConfig;
  /** Rows of each of the 26 tables. */
  readonly tableRows: readonly number[];
  /** int32 [users][userTables]. */
  readonly userIds: Int32Array;
  /** int32 [items][26 - userTables]. */
  readonly itemIds: Int32Array;
  /** float32 [items][13]. */
  readonly itemDense: Float32Array;
  /** float32 [users][latentDim]. */
  readonly userVec: Float32Array;
  /** float32 [items][latentDim]. */
  readonly itemVec: Float32Array;
  /** float32 [items]: the item's bias terms, dense term and the offset. */
  readonly itemBase: Float32Array;
  /** Tables that carry a latent factor. */
  readonly latentTables: readonly number[];
}

function normals(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

/** Builds the world of `partial` (over DATA_DEFAULTS); the same seed gives the same world. */
export function buildWorld(partial: Partial<DataConfig> = {}): World {
  const config = dataConfig(partial);
  const rows = datasetTableRows(config);
  const T = rows.length;
  const U = config.userTables;
  const L = config.latentDim;
  const rng = new Rng(config.seed);
  const samplers = rows.map((n) => new ZipfSampler(n, config.zipf));
  const latentTables = rows.flatMap((n, t) => (n >= config.latentMinRows ? [t] : []));
  const latents = new Map(latentTables.map((t) => [t, normals(rng, (rows[t] as number) * L, 1)]));
  const biases = rows.map((n, t) =>
    t < U ? new Float32Array(n) : normals(rng, n, config.idBiasStd),
  );
  const denseW = normals(rng, DENSE_FEATURES, config.denseWeightStd);

  const draw = (count: number, first: number, last: number) => {
    const width = last - first;
    const ids = new Int32Array(count * width);
    for (let r = 0; r < count; r++)
      for (let c = 0; c < width; c++)
        ids[r * width + c] = (samplers[first + c] as ZipfSampler).sample(rng);
    return ids;
  };
  const userIds = draw(config.users, 0, U);
  const itemIds = draw(config.items, U, T);
  const itemDense = normals(rng, config.items * DENSE_FEATURES, 1);

  const vectors = (ids: Int32Array, count: number, first: number, last: number) => {
    const width = last - first;
    const own = latentTables.filter((t) => t >= first && t < last);
    const scale = own.length > 0 ? 1 / Math.sqrt(own.length) : 0;
    const out = new Float32Array(count * L);
    for (let r = 0; r < count; r++)
      for (const t of own) {
        const id = ids[r * width + (t - first)] as number;
        const lat = latents.get(t) as Float32Array;
        for (let d = 0; d < L; d++)
          out[r * L + d] = (out[r * L + d] as number) + scale * (lat[id * L + d] as number);
      }
    return out;
  };
  const userVec = vectors(userIds, config.users, 0, U);
  const itemVec = vectors(itemIds, config.items, U, T);
  const itemBase = new Float32Array(config.items);
  for (let i = 0; i < config.items; i++) {
    let z = config.offset;
    for (let t = U; t < T; t++)
      z += (biases[t] as Float32Array)[itemIds[i * (T - U) + (t - U)] as number] as number;
    for (let k = 0; k < DENSE_FEATURES; k++)
      z += (denseW[k] as number) * (itemDense[i * DENSE_FEATURES + k] as number);
    itemBase[i] = z;
  }
  return {
    config,
    tableRows: rows,
    userIds,
    itemIds,
    itemDense,
    userVec,
    itemVec,
    itemBase,
    latentTables,
  };
}

/** The planted logit of (user, item). */
export function plantedLogit(world: World, user: number, item: number): number {
  const L = world.config.latentDim;
  let dot = 0;
  for (let d = 0; d < L; d++)
    dot += (world.userVec[user * L + d] as number) * (world.itemVec[item * L + d] as number);
  return world.config.affinity * dot + (world.itemBase[item] as number);
}

/** The planted click probability of (user, item): sigmoid of the planted logit. */
export function clickProbability(world: World, user: number, item: number): number {
  return 1 / (1 + Math.exp(-plantedLogit(world, user, item)));
}

export function checkUser(world: World, user: number): void {
  if (!(Number.isInteger(user) && user >= 0 && user < world.config.users))
    throw invalidArgument('user', user, `users are 0..${world.config.users - 1}`);
}
