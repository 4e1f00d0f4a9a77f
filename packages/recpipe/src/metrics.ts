import { invalidArgument } from '@recmesh/errors';
import { topK } from '@recmesh/model-repository';
import { Rng } from '@recmesh/workload';

/** Gain of a graded relevance r: 2^r - 1 (Burges et al. 2005). */
export const gain = (r: number): number => Math.pow(2, r) - 1;

function checkK(k: number): void {
  if (!(Number.isInteger(k) && k > 0)) throw invalidArgument('k', k, 'a positive integer');
}

/** DCG@k of a ranking (candidate positions, best first): sum_j gain(rel[ranked[j]]) / log2(j + 2). */
export function dcgAtK(ranked: ArrayLike<number>, relevance: ArrayLike<number>, k: number): number {
  checkK(k);
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let j = 0; j < n; j++)
    dcg += gain(relevance[ranked[j] as number] as number) / Math.log2(j + 2);
  return dcg;
}

/**
 * NDCG@k: DCG@k of `ranked` over the ideal DCG@k, the DCG of all candidates sorted by relevance.
 * 1 when no candidate has a positive gain.
 */
export function ndcgAtK(
  ranked: ArrayLike<number>,
  relevance: ArrayLike<number>,
  k: number,
): number {
  const ideal = dcgAtK(topK(relevance, k), relevance, k);
  return ideal > 0 ? dcgAtK(ranked, relevance, k) / ideal : 1;
}

/**
 * Recall@k: the share of the true top k (the k candidates of highest relevance, ties to the
 * lower position) that the first k of `ranked` contain.
 */
export function recallAtK(
  ranked: ArrayLike<number>,
  relevance: ArrayLike<number>,
  k: number,
): number {
  checkK(k);
  const truth = topK(relevance, k);
  const mine = new Set(Array.from(ranked).slice(0, k));
  let hits = 0;
  for (const i of truth) if (mine.has(i)) hits++;
  return truth.length > 0 ? hits / truth.length : 1;
}

/** Mean binary cross-entropy of predictions p against labels y (p clipped to [1e-7, 1 - 1e-7]). */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i] as number));
    s -= (y[i] as number) > 0 ? Math.log(q) : Math.log(1 - q);
  }
  return s / p.length;
}

/**
 * ROC AUC: the probability that a random positive scores above a random negative, ties counted
 * half (Mann-Whitney U with mid-ranks).
 */
export function auc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const order = Array.from({ length: p.length }, (_, i) => i).sort(
    (a, b) => (p[a] as number) - (p[b] as number),
  );
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1] as number] === p[order[i] as number]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if ((y[order[k] as number] as number) > 0) {
        rankSum += mid;
        positives++;
      }
    i = j + 1;
  }
  const negatives = p.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Graded relevance of candidates from their planted click probabilities: 4p, a grade between
 * 0 and 4 (gain 2^(4p) - 1, from 0 to 15).
 */
export function plantedRelevance(probability: ArrayLike<number>): Float32Array {
  return Float32Array.from(probability as ArrayLike<number>, (p) => 4 * p);
}

/**
 * A 95% interval of mean(a) / mean(b) over paired samples (a[i] and b[i] from the same query):
 * the 2.5th and 97.5th percentiles of the ratio over `resamples` bootstrap resamples of the
 * queries (Efron's percentile bootstrap, seeded, so the same samples give the same interval).
 */
export function ratioInterval(
  a: readonly number[],
  b: readonly number[],
  resamples = 2000,
  seed = 1,
): [number, number] {
  if (a.length !== b.length || a.length === 0)
    throw invalidArgument('b.length', b.length, `must equal a.length (${a.length}), at least 1`);
  const rng = new Rng(seed);
  const n = a.length;
  const ratios = Array.from({ length: resamples }, () => {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rng.next() * n);
      sa += a[j] as number;
      sb += b[j] as number;
    }
    return sa / sb;
  }).sort((x, y) => x - y);
  const at = (q: number) => ratios[Math.min(resamples - 1, Math.floor(q * resamples))] as number;
  return [at(0.025), at(0.975)];
}
