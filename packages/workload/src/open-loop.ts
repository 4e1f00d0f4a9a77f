import { invalidArgument } from '@recmesh/errors';
import { summarize, type LatencySummary } from './latency-stats';
import type { QuerySizes } from './query-sizes';
import { Rng } from './rng';

export interface OpenLoopOptions {
  /** Mean arrival rate, queries per second (Poisson arrivals). */
  readonly rate: number;
  readonly durationS: number;
  readonly sizes: QuerySizes;
  readonly seed: number;
  /** Sends one query of `size` items; rejects on failure (the error's `code` is counted). */
  send(size: number, index: number): Promise<void>;
  /** Called about every 250 ms while the load runs. */
  onProgress?(progress: LoadProgress): void;
  /** How long to wait for queries still in flight after the last arrival, ms. */
  readonly drainMs?: number;
}

export interface LoadProgress {
  readonly elapsedS: number;
  readonly durationS: number;
  readonly sent: number;
  readonly done: number;
  readonly errors: number;
  readonly inFlight: number;
}

export interface LoadResult {
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  /** Errors by gRPC status name or error class. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly offeredQps: number;
  /** Completed queries per second of the run. */
  readonly achievedQps: number;
  readonly items: number;
  /** Latency of successful queries, from each query's scheduled send time (no coordinated omission). */
  readonly latencyMs: LatencySummary;
  readonly durationS: number;
}

/**
 * Open-loop load: arrivals are scheduled in advance as a Poisson process and sent at their time
 * whether or not earlier queries have returned. Each latency is counted from the scheduled
 * send time, so a stalled server shows up in the tail instead of slowing the generator down
 * (the "coordinated omission" trap).
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadResult> {
  if (!(options.rate > 0)) throw invalidArgument('rate', options.rate, 'must be > 0 queries/s');
  if (!(options.durationS > 0)) throw invalidArgument('seconds', options.durationS, 'must be > 0');
  const rng = new Rng(options.seed);
  const arrivals: number[] = [];
  for (
    let t = rng.exponential(options.rate) * 1000;
    t < options.durationS * 1000;
    t += rng.exponential(options.rate) * 1000
  ) {
    arrivals.push(t);
  }
  const sizes = arrivals.map(() => options.sizes.sample(rng));

  const latencies: number[] = [];
  const errorsByCode: Record<string, number> = {};
  let done = 0;
  let errors = 0;
  let items = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const progress = () =>
    options.onProgress?.({
      elapsedS: (performance.now() - start) / 1000,
      durationS: options.durationS,
      sent,
      done: done + errors,
      errors,
      inFlight: inFlight.size,
    });
  const ticker = setInterval(progress, 250);

  const launch = (i: number) => {
    const scheduled = start + (arrivals[i] as number);
    const size = sizes[i] as number;
    sent++;
    const p = options.send(size, i).then(
      () => {
        latencies.push(performance.now() - scheduled);
        done++;
        items += size;
      },
      (err: unknown) => {
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

  let next = 0;
  while (next < arrivals.length) {
    const now = performance.now() - start;
    while (next < arrivals.length && (arrivals[next] as number) <= now) launch(next++);
    if (next < arrivals.length) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, (arrivals[next] as number) - (performance.now() - start))),
      );
    }
  }
  const endOfArrivals = performance.now();
  await Promise.race([
    Promise.all([...inFlight]),
    new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 30_000)),
  ]);
  clearInterval(ticker);
  progress();
  const elapsedS = Math.max(options.durationS, (endOfArrivals - start) / 1000);
  return {
    sent,
    completed: done,
    errors: errors + inFlight.size,
    errorsByCode:
      inFlight.size > 0 ? { ...errorsByCode, STILL_IN_FLIGHT: inFlight.size } : errorsByCode,
    offeredQps: options.rate,
    achievedQps: done / elapsedS,
    items,
    latencyMs: summarize(latencies),
    durationS: elapsedS,
  };
}
