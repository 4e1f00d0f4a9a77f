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
