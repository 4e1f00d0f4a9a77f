import { invalidArgument } from '@recmesh/errors';
import { summarize, type LatencySummary } from './latency-stats';
import { quantileCi } from './max-load';
import type { QuerySizes } from './query-sizes';
import { Rng } from './rng';

export interface OpenLoopOptions {
  /** Mean arrival rate, queries per second (Poisson arrivals). */
  readonly rate: number;
  /** Longest the load runs, seconds (arrivals stop then, warm-up included). */
  readonly durationS: number;
  readonly sizes: QuerySizes;
  readonly seed: number;
  /** Sends one query of `size` items; rejects on failure (the error's `code` is counted). */
  send(size: number, index: number): Promise<void>;
  /** Called about every 250 ms while the load runs. */
  onProgress?(progress: LoadProgress): void;
  /** How long to wait for queries still in flight after the last arrival, ms. */
  readonly drainMs?: number;
  /** Queries sent in the first `warmupS` seconds are not measured (default 0). */
  readonly warmupS?: number;
  /**
   * Warm-up also lasts until this says so (polled every 250 ms after `warmupS`): e.g. until a
   * scheduler has settled. Capped by `durationS`.
   */
  readonly warmupDone?: () => boolean;
  /**
   * Once warm, stop sending after `measureS` seconds and at least `minMeasured` queries (both
   * must hold, or `durationS` ends it). Unset: send until `durationS`.
   */
  readonly measureS?: number;
  readonly minMeasured?: number;
}

export interface LoadProgress {
  readonly elapsedS: number;
  readonly durationS: number;
  readonly sent: number;
  readonly done: number;
  readonly errors: number;
  readonly inFlight: number;
  readonly warm: boolean;
}

export interface LoadResult {
  /** Queries sent, warm-up included. */
  readonly sent: number;
  /** Measured (post warm-up) queries that succeeded / failed. */
  readonly completed: number;
  readonly errors: number;
  /** Errors by gRPC status name or error class. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly offeredQps: number;
  /** Measured completions per second of measured time. */
  readonly achievedQps: number;
  /** Items of the measured, successful queries. */
  readonly items: number;
  /** Latency of measured successful queries, from each one's scheduled send time (no coordinated omission). */
  readonly latencyMs: LatencySummary;
  /** 95% confidence interval of the p95, ms. */
  readonly p95Ci: readonly [number, number];
  /** Seconds of measured time. */
  readonly durationS: number;
  readonly warmupS: number;
}

/**
 * Open-loop load: arrivals are a Poisson process, sent at their time whether or not earlier
 * queries have returned. Each latency is counted from the scheduled send time, so a stalled
 * server shows up in the tail instead of slowing the generator down ("coordinated omission").
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadResult> {
  if (!(options.rate > 0)) throw invalidArgument('rate', options.rate, 'must be > 0 queries/s');
  if (!(options.durationS > 0)) throw invalidArgument('seconds', options.durationS, 'must be > 0');
  const rng = new Rng(options.seed);
  const latencies: number[] = [];
  const errorsByCode: Record<string, number> = {};
  let done = 0;
  let errors = 0;
  let items = 0;
  let sent = 0;
  let measuredSent = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const capMs = options.durationS * 1000;
  let warmAt = (options.warmupS ?? 0) * 1000; // ms after start; Infinity while waiting for warmupDone
  if (options.warmupDone !== undefined) warmAt = Infinity;
  const minWarmMs = (options.warmupS ?? 0) * 1000;
  const elapsed = () => performance.now() - start;

  const progress = () =>
    options.onProgress?.({
      elapsedS: elapsed() / 1000,
      durationS: options.durationS,
      sent,
      done: done + errors,
      errors,
      inFlight: inFlight.size,
      warm: elapsed() >= warmAt,
    });
  const ticker = setInterval(() => {
    if (warmAt === Infinity && elapsed() >= minWarmMs && options.warmupDone?.() === true)
      warmAt = elapsed();
    progress();
  }, 250);

  const launch = (scheduledAt: number, size: number, index: number) => {
    const scheduled = start + scheduledAt;
    const measured = scheduledAt >= warmAt;
    sent++;
    if (measured) measuredSent++;
    const p = options.send(size, index).then(
      () => {
        if (!measured) return;
        latencies.push(performance.now() - scheduled);
        done++;
        items += size;
      },
      (err: unknown) => {
        if (!measured) return;
        errors++;
        const e = err as { code?: unknown; name?: string };
        const code =
          typeof e.code === 'number' || typeof e.code === 'string'
            ? String(e.code)
            : (e.name ?? 'Error');
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const finished = (t: number) => {
    if (t >= capMs) return true;
    if (options.measureS === undefined && options.minMeasured === undefined) return false;
    if (t < warmAt) return false;
    return (
      t - warmAt >= (options.measureS ?? 0) * 1000 && measuredSent >= (options.minMeasured ?? 0)
    );
  };

  let next = rng.exponential(options.rate) * 1000;
  let index = 0;
  while (!finished(next)) {
    const wait = next - elapsed();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Catch up on every arrival that is due (a late timer must not thin the load).
    while (!finished(next) && next <= elapsed()) {
      launch(next, options.sizes.sample(rng), index++);
      next += rng.exponential(options.rate) * 1000;
    }
  }
  const endOfArrivals = Math.min(next, capMs);
  await Promise.race([
    Promise.all([...inFlight]),
    new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 30_000)),
  ]);
  clearInterval(ticker);
  progress();
  const warmupMs = Math.min(warmAt, endOfArrivals);
  const measuredS = Math.max(0.001, (endOfArrivals - warmupMs) / 1000);
  return {
    sent,
    completed: done,
    errors: errors + inFlight.size,
    errorsByCode:
      inFlight.size > 0 ? { ...errorsByCode, STILL_IN_FLIGHT: inFlight.size } : errorsByCode,
    offeredQps: options.rate,
    achievedQps: done / measuredS,
    items,
    latencyMs: summarize(latencies),
    p95Ci: quantileCi(Float64Array.from(latencies).sort(), 0.95),
    durationS: measuredS,
    warmupS: warmupMs / 1000,
  };
}
