import { invalidArgument } from '@recmesh/errors';
import type { Rng } from './rng';

/** How many candidate items a query carries (DeepRecSys' "query size"). */
export interface QuerySizes {
  readonly name: string;
  sample(rng: Rng): number;
  /** Parameters, for reports. */
  readonly params: Readonly<Record<string, number | string>>;
}

/**
 * Lognormal sizes with the given mean, rounded and clipped to [1, max]. sigma is the spread of
 * ln(size); DeepRecSys fits production query sizes with a lognormal body (and a heavier tail).
 */
export function lognormalSizes(mean: number, sigma: number, max: number): QuerySizes {
  if (!(mean >= 1)) throw invalidArgument('mean', mean, 'must be >= 1');
  if (!(sigma >= 0)) throw invalidArgument('sigma', sigma, 'must be >= 0');
  if (!(max >= 1)) throw invalidArgument('max', max, 'must be >= 1');
  // E[X] = exp(mu + sigma^2 / 2) for a lognormal.
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  return {
    name: 'lognormal',
    params: { mean, sigma, mu, max },
    sample: (rng) => Math.min(max, Math.max(1, Math.round(Math.exp(mu + sigma * rng.normal())))),
  };
}

/** Every query the same size. */
export function fixedSizes(size: number): QuerySizes {
  if (!(Number.isInteger(size) && size >= 1))
    throw invalidArgument('size', size, 'must be an integer >= 1');
  return { name: 'fixed', params: { size }, sample: () => size };
}

/** Mean / median of the production mixture below (measured over 200k draws, fixed seed). */
const PRODUCTION_MEAN_OVER_MEDIAN = 1.49;

/**
 * Production-like query sizes: a lognormal body (sigma 0.45) with a Pareto tail (alpha 1.8)
 * drawn for 15% of queries from the body's 90th percentile up, clipped to [1, max].
 *
 * Why these numbers: DeepRecSys reports production query sizes heavier-tailed than lognormal,
 * with the largest 25% of queries holding about half of all items. With these parameters the
 * top quarter holds 51% of the items (a lognormal needs sigma 0.67 for 50%) and the tail is
 * heavier: p99/p50 = 7.2 against 4.7 for that lognormal (mean 100, max 1000; measured by
 * test/workload.test.ts' statistics over 200k draws).
 */
export function productionSizes(mean: number, max: number): QuerySizes {
  if (!(mean >= 1)) throw invalidArgument('mean', mean, 'must be >= 1');
  if (!(max >= 1)) throw invalidArgument('max', max, 'must be >= 1');
  const sigma = 0.45;
  const tailShare = 0.15;
  const alpha = 1.8;
  const mu = Math.log(mean / PRODUCTION_MEAN_OVER_MEDIAN);
  const tailStart = Math.exp(mu + sigma * 1.2816); // the body's 90th percentile
  return {
    name: 'production',
    params: { mean, max, sigma, tailShare, alpha, tailStart: Math.round(tailStart) },
    sample: (rng) => {
      const x =
        rng.next() < tailShare
          ? tailStart / Math.pow(1 - rng.next(), 1 / alpha)
          : Math.exp(mu + sigma * rng.normal());
      return Math.min(max, Math.max(1, Math.round(x)));
    },
  };
}

/** `lognormal`, `production` or `fixed` by name (for command-line flags). */
export function sizesByName(name: string, mean: number, max: number, sigma = 0.8): QuerySizes {
  switch (name) {
    case 'lognormal':
      return lognormalSizes(mean, sigma, max);
    case 'production':
      return productionSizes(mean, max);
    case 'fixed':
      return fixedSizes(Math.round(mean));
    default:
      throw invalidArgument('--sizes', name, 'one of lognormal, production, fixed');
  }
}
