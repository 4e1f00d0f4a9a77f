import { invalidArgument } from '@recmesh/errors';

/** What one probe at a fixed arrival rate measured. */
export interface Probe {
  readonly rate: number;
  readonly completed: number;
  readonly errors: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** 95% confidence interval of the p95, ms (order statistics of the sample). */
  readonly p95Ci: readonly [number, number];
  readonly achievedQps: number;
  /** Anything else the prober wants in the trace (scheduler state, ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface MaxLoadOptions {
  readonly targetP95Ms: number;
  /** First rate tried, queries/s. */
  readonly startRate: number;
  /** Stop when hi/lo is within this ratio (default 1.1: the answer is within 10%). */
  readonly resolution?: number;
  /** Largest number of probes (default 12). */
  readonly maxProbes?: number;
  /** A probe fails when more than this share of its queries failed (default 0.01). */
  readonly maxErrorShare?: number;
  /**
   * Lowest rate tried (default startRate / 16). A target still missed there, or missed at two
   * halvings in a row without the p95 falling by 10%, is out of reach at any load: the latency
   * is the queries' own cost, not queueing.
   */
  readonly floorRate?: number;
  readonly probe: (rate: number) => Promise<Probe>;
  readonly onProbe?: (probe: Probe, passed: boolean) => void;
}

export interface MaxLoadResult {
  /** Highest rate that met the target, queries/s (0 if none did). */
  readonly qpsAtTarget: number;
  /** The probe at that rate. */
  readonly best: Probe | undefined;
  /** Lowest rate that missed the target. */
  readonly failedAt: number | undefined;
  readonly probes: readonly Probe[];
  /** How the search ended. */
  readonly stop: 'resolution' | 'probes' | 'unreachable' | 'none-passed';
}

/** Whether a probe met the target: p95 at or under it, and almost no errors. */
export function passes(probe: Probe, targetP95Ms: number, maxErrorShare = 0.01): boolean {
  const total = probe.completed + probe.errors;
  return total > 0 && probe.errors / total <= maxErrorShare && probe.p95Ms <= targetP95Ms;
}

/**
 * DeepRecSched's first step: the highest arrival rate whose p95 stays under the target.
 * Doubles (or halves) from `startRate` until the target is bracketed, then bisects in log space.
 * A miss that is not significant (the target inside its p95's 95% interval) is probed once more
 * and the second probe decides. Stop rule: the bracket [pass, fail] is within `resolution`
 * (10%), or `maxProbes` were spent.
 */
export async function findMaxLoad(options: MaxLoadOptions): Promise<MaxLoadResult> {
  if (!(options.targetP95Ms > 0))
    throw invalidArgument('targetP95Ms', options.targetP95Ms, 'must be > 0');
  if (!(options.startRate > 0))
    throw invalidArgument('startRate', options.startRate, 'must be > 0');
  const resolution = options.resolution ?? 1.1;
  const maxProbes = options.maxProbes ?? 12;
  const probes: Probe[] = [];
  let lo: Probe | undefined;
  let hi: Probe | undefined;
  const once = async (rate: number) => {
    const p = await options.probe(rate);
    probes.push(p);
    const ok = passes(p, options.targetP95Ms, options.maxErrorShare);
    options.onProbe?.(p, ok);
    return { p, ok };
  };
  const run = async (rate: number) => {
    let { p, ok } = await once(rate);
    // A miss whose p95 interval still holds the target is not evidence of overload: one more
    // probe at the rate decides (the search never goes above a failed rate again).
    if (!ok && p.errors === 0 && p.p95Ci[0] <= options.targetP95Ms && probes.length < maxProbes)
      ({ p, ok } = await once(rate));
    if (ok && (lo === undefined || p.rate > lo.rate)) lo = p;
    if (!ok && (hi === undefined || p.rate < hi.rate)) hi = p;
    return ok;
  };

  let rate = options.startRate;
  const floor = options.floorRate ?? options.startRate / 16;
  let unreachable = false;
  let flat = 0;
  // Bracket: double while passing, halve while failing.
  while (probes.length < maxProbes && (lo === undefined || hi === undefined)) {
    const ok = await run(rate);
    if (!ok && lo === undefined) {
      const last = probes[probes.length - 1] as Probe;
      const prev = probes.findLast((q) => q.rate !== last.rate);
      flat = prev !== undefined && last.p95Ms > 0.9 * prev.p95Ms ? flat + 1 : 0;
      if (rate <= floor || flat >= 2) {
        unreachable = true;
        break;
      }
    }
    rate = ok ? rate * 2 : rate / 2;
  }
  // Bisect (geometric mean) until the bracket is tight.
  while (
    probes.length < maxProbes &&
    lo !== undefined &&
    hi !== undefined &&
    hi.rate / lo.rate > resolution
  ) {
    await run(Math.sqrt(lo.rate * hi.rate));
  }
  const finalLo = lo as Probe | undefined;
  const finalHi = hi as Probe | undefined;
  return {
    qpsAtTarget: finalLo?.rate ?? 0,
    best: finalLo,
    failedAt: finalHi?.rate,
    probes,
    stop: unreachable
      ? 'unreachable'
      : finalLo === undefined
        ? 'none-passed'
        : finalHi !== undefined && finalHi.rate / finalLo.rate <= resolution
          ? 'resolution'
          : 'probes',
  };
}

/**
 * 95% confidence interval of the q-quantile from a sorted sample (distribution-free): the order
 * statistics at ranks n q -/+ 1.96 sqrt(n q (1 - q)) (normal approximation to the binomial).
 */
export function quantileCi(sorted: ArrayLike<number>, q: number): [number, number] {
  const n = sorted.length;
  if (n === 0) return [NaN, NaN];
  const half = 1.96 * Math.sqrt(n * q * (1 - q));
  const lo = Math.max(0, Math.floor(n * q - half) - 1);
  const hi = Math.min(n - 1, Math.ceil(n * q + half) - 1);
  return [sorted[lo] as number, sorted[hi] as number];
}
