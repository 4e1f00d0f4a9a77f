/** mulberry32: a small seeded generator, uniform in [0, 1); the same stream on every platform. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Row ids with Zipf-like popularity: the k-th most popular row is drawn with probability
 * proportional to 1 / k^exponent (exponent 0: uniform). Popularity ranks are scattered over the
 * table by a seeded permutation, as hashed ids are in production tables, so that hot rows do
 * not share DRAM pages by construction.
 */
export class ZipfSampler {
  private readonly random: () => number;
  private readonly cdf: Float64Array | undefined;
  private readonly rowOfRank: Int32Array | undefined;

  constructor(
    readonly rows: number,
    readonly exponent: number,
    seed = 1,
  ) {
    if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows = ${rows}: must be >= 1`);
    if (!(exponent >= 0)) throw new RangeError(`exponent = ${exponent}: must be >= 0`);
    this.random = mulberry32(seed);
    if (exponent === 0) return;
    const cdf = new Float64Array(rows);
    let sum = 0;
    for (let k = 0; k < rows; k++) {
      sum += Math.pow(k + 1, -exponent);
      cdf[k] = sum;
    }
    this.cdf = cdf;
    const perm = new Int32Array(rows);
    for (let i = 0; i < rows; i++) perm[i] = i;
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = perm[i] as number;
      perm[i] = perm[j] as number;
      perm[j] = t;
    }
    this.rowOfRank = perm;
  }

  next(): number {
    const u = this.random();
    const cdf = this.cdf;
    if (cdf === undefined || this.rowOfRank === undefined) {
      return Math.min(this.rows - 1, Math.floor(u * this.rows));
    }
    const target = u * (cdf[cdf.length - 1] as number);
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return this.rowOfRank[lo] as number;
  }

  /** `bags` bags of `pool` ids each: (indices, offsets) as EmbeddingBag takes them. */
  bags(bags: number, pool: number): { indices: Int32Array; offsets: Int32Array } {
    const indices = new Int32Array(bags * pool);
    for (let i = 0; i < indices.length; i++) indices[i] = this.next();
    const offsets = new Int32Array(bags);
    for (let b = 0; b < bags; b++) offsets[b] = b * pool;
    return { indices, offsets };
  }
}
