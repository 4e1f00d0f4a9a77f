import type { Rng } from '@recmesh/workload';

/**
 * Draws ids in [0, n) with P(k) proportional to 1 / (k + 1)^s (Zipf's law; id 0 the most
 * popular), by binary search over the cumulative weights.
 */
export class ZipfSampler {
  private readonly cdf: Float64Array;

  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    this.cdf = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      total += 1 / Math.pow(k + 1, s);
      this.cdf[k] = total;
    }
    for (let k = 0; k < n; k++) this.cdf[k] = (this.cdf[k] as number) / total;
  }

  /** The probability of id k. */
  probability(k: number): number {
    return (this.cdf[k] as number) - (k === 0 ? 0 : (this.cdf[k - 1] as number));
  }

  sample(rng: Rng): number {
    const u = rng.next();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cdf[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
