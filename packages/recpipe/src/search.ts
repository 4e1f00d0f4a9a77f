import { invalidArgument } from '@recmesh/errors';
import type { PipelineStage, StageBackend } from '@recmesh/model-repository';
import { ndcgAtK, recallAtK } from './metrics';
import { simulatePipeline } from './simulate';

/** A model's measured latency and carbon against query size, on one backend. */
export interface LatencyProfile {
  readonly model: string;
  readonly backend: StageBackend;
  /** Sorted by items. */
  readonly points: readonly {
    readonly items: number;
    readonly p95Ms: number;
    readonly carbonG: number;
    /** Every measured latency at this size, ms (p95Ms alone stands for the distribution where absent). */
    readonly samplesMs?: readonly number[];
  }[];
}

/** One query's material: every model's score of every candidate, and the planted relevance. */
export interface ScoredQuery {
  readonly scores: Readonly<Record<string, ArrayLike<number>>>;
  readonly relevance: ArrayLike<number>;
}

export interface SearchSpace {
  /** Candidates per query. */
  readonly candidates: number;
  /** Items the last stage returns (the k of NDCG@k). Default 64. */
  readonly finalK: number;
  readonly models: readonly string[];
  readonly backends: readonly StageBackend[];
  /** Items a non-final stage may keep. */
  readonly keeps: readonly number[];
  /** Most stages. */
  readonly maxStages: number;
}

export interface PipelineCandidate {
  readonly stages: readonly PipelineStage[];
  /** Mean NDCG@k against the planted relevance. */
  readonly ndcg: number;
  readonly recall: number;
  /** ndcg over the single-stage baseline's. */
  readonly ndcgVsBaseline: number;
  /** Composed p95: of the sum of independent draws of each stage's measured latency at its input size (modelled). */
  readonly p95Ms: number;
  /** Composed carbon per query, g CO2e (the stages' receipts summed; modelled). */
  readonly carbonG: number;
}

/** Value of a profile at `items`: linear between measured sizes, proportional beyond them. */
export function profileAt(
  profile: LatencyProfile,
  items: number,
): { p95Ms: number; carbonG: number } {
  const pts = profile.points;
  const first = pts[0];
  if (first === undefined) throw invalidArgument('profile', profile.model, 'no measured points');
  if (items <= first.items)
    return { p95Ms: first.p95Ms, carbonG: (first.carbonG * items) / first.items };
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1] as (typeof pts)[number];
    const b = pts[i] as (typeof pts)[number];
    if (items <= b.items) {
      const t = (items - a.items) / (b.items - a.items);
      return {
        p95Ms: a.p95Ms + t * (b.p95Ms - a.p95Ms),
        carbonG: a.carbonG + t * (b.carbonG - a.carbonG),
      };
    }
  }
  const last = pts[pts.length - 1] as (typeof pts)[number];
  return { p95Ms: (last.p95Ms * items) / last.items, carbonG: (last.carbonG * items) / last.items };
}

/** Sorted copy of a point's samples, or its p95 alone. */
function samplesOf(point: LatencyProfile['points'][number]): number[] {
  return point.samplesMs === undefined || point.samplesMs.length === 0
    ? [point.p95Ms]
    : [...point.samplesMs].sort((a, b) => a - b);
}

/** The u-quantile (0..1) of sorted values, linear between order statistics. */
function quantile(sorted: readonly number[], u: number): number {
  const x = u * (sorted.length - 1);
  const i = Math.floor(x);
  const a = sorted[i] as number;
  const b = sorted[Math.min(sorted.length - 1, i + 1)] as number;
  return a + (x - i) * (b - a);
}

/**
 * A stage's latency distribution at `items`, as a quantile function: between two measured sizes
 * each quantile is interpolated linearly, below the smallest it is the smallest's, beyond the
 * largest it grows in proportion to the items.
 */
export function quantileAt(profile: LatencyProfile, items: number): (u: number) => number {
  const pts = profile.points;
  const first = pts[0];
  if (first === undefined) throw invalidArgument('profile', profile.model, 'no measured points');
  if (items <= first.items) {
    const s = samplesOf(first);
    return (u) => quantile(s, u);
  }
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1] as (typeof pts)[number];
    const b = pts[i] as (typeof pts)[number];
    if (items <= b.items) {
      const t = (items - a.items) / (b.items - a.items);
      const sa = samplesOf(a);
      const sb = samplesOf(b);
      return (u) => (1 - t) * quantile(sa, u) + t * quantile(sb, u);
    }
  }
  const last = pts[pts.length - 1] as (typeof pts)[number];
  const s = samplesOf(last);
  return (u) => (quantile(s, u) * items) / last.items;
}

/** Draws of the composition, enough for a stable p95 (its standard error ~1% of the spread). */
const COMPOSE_DRAWS = 4000;

/**
 * p95 of the sum of independent draws of each stage's latency (a Monte Carlo convolution on a
 * fixed stratified grid, so the result is deterministic). Summing the stages' p95s instead would
 * count each stage's tail as if they always coincided.
 */
export function composedP95(stages: readonly ((u: number) => number)[]): number {
  const sums = new Float64Array(COMPOSE_DRAWS);
  for (let d = 0; d < COMPOSE_DRAWS; d++) {
    let total = 0;
    stages.forEach((q, k) => {
      // Stage k's draw d: a stratified point, permuted per stage by a multiplicative hash.
      const j = (Math.imul(d + 1, 2654435761 + 2 * k) >>> 0) % COMPOSE_DRAWS;
      total += q((j + 0.5) / COMPOSE_DRAWS);
    });
    sums[d] = total;
  }
  sums.sort();
  return sums[Math.ceil(0.95 * COMPOSE_DRAWS) - 1] as number;
}

/**
 * Every pipeline of the space: 1 to maxStages stages, any model and backend per stage, keeps
 * strictly decreasing and larger than finalK before the last stage, which keeps finalK.
 */
export function enumeratePipelines(space: SearchSpace): PipelineStage[][] {
  const keeps = [...new Set(space.keeps)]
    .filter((k) => k > space.finalK && k < space.candidates)
    .sort((a, b) => b - a);
  const choices = space.models.flatMap((model) =>
    space.backends.map((backend) => ({ model, backend })),
  );
  const out: PipelineStage[][] = [];
  const extend = (prefix: PipelineStage[], below: number) => {
    for (const c of choices) out.push([...prefix, { ...c, keep: space.finalK }]);
    if (prefix.length + 1 >= space.maxStages) return;
    for (const keep of keeps.filter((k) => k < below))
      for (const c of choices) extend([...prefix, { ...c, keep }], keep);
  };
  extend([], space.candidates);
  return out;
}

/**
 * Quality (from the queries' scores, each pipeline simulated exactly) and composed p95 and
 * carbon (from the profiles) of every pipeline of the space; `baseline` is the single stage the
 * NDCG ratio is taken against.
 */
export function evaluatePipelines(
  space: SearchSpace,
  profiles: readonly LatencyProfile[],
  queries: readonly ScoredQuery[],
  baseline: readonly PipelineStage[],
): PipelineCandidate[] {
  if (queries.length === 0) throw invalidArgument('queries', 0, 'at least one scored query');
  const k = space.finalK;
  const quality = (stages: readonly PipelineStage[]) => {
    let ndcg = 0;
    let recall = 0;
    for (const q of queries) {
      const ranked = simulatePipeline(q.scores, stages, space.candidates);
      ndcg += ndcgAtK(ranked, q.relevance, k);
      recall += recallAtK(ranked, q.relevance, k);
    }
    return { ndcg: ndcg / queries.length, recall: recall / queries.length };
  };
  const base = quality(baseline).ndcg;
  const profileOf = (s: PipelineStage) => {
    const p = profiles.find((x) => x.model === s.model && x.backend === s.backend);
    if (p === undefined)
      throw invalidArgument('profile', `${s.model}/${s.backend}`, 'not measured');
    return p;
  };
  return enumeratePipelines(space).map((stages) => {
    const q = quality(stages);
    let items = space.candidates;
    let carbonG = 0;
    const quantiles: ((u: number) => number)[] = [];
    for (const s of stages) {
      const profile = profileOf(s);
      carbonG += profileAt(profile, items).carbonG;
      quantiles.push(quantileAt(profile, items));
      items = Math.min(items, s.keep);
    }
    const p95Ms = composedP95(quantiles);
    return { stages, ...q, ndcgVsBaseline: base > 0 ? q.ndcg / base : NaN, p95Ms, carbonG };
  });
}

/** Candidates no other beats on NDCG, p95 and carbon at once (higher NDCG, lower p95 and carbon). */
export function paretoFront(candidates: readonly PipelineCandidate[]): PipelineCandidate[] {
  const dominates = (a: PipelineCandidate, b: PipelineCandidate) =>
    a.ndcg >= b.ndcg &&
    a.p95Ms <= b.p95Ms &&
    a.carbonG <= b.carbonG &&
    (a.ndcg > b.ndcg || a.p95Ms < b.p95Ms || a.carbonG < b.carbonG);
  return candidates
    .filter((c) => !candidates.some((o) => dominates(o, c)))
    .sort((a, b) => a.p95Ms - b.p95Ms);
}

/**
 * The pipeline to run: of those whose composed p95 meets the target and whose NDCG@k reaches
 * minNdcg, the lowest p95 (then the lowest carbon, then the fewest stages); undefined when none.
 */
export function choosePipeline(
  candidates: readonly PipelineCandidate[],
  targetP95Ms: number,
  minNdcg: number,
): PipelineCandidate | undefined {
  return candidates
    .filter((c) => c.p95Ms <= targetP95Ms && c.ndcg >= minNdcg)
    .sort(
      (a, b) => a.p95Ms - b.p95Ms || a.carbonG - b.carbonG || a.stages.length - b.stages.length,
    )[0];
}
