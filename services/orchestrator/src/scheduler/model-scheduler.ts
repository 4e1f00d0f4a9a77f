import { invalidArgument } from '@recmesh/errors';
import { HillClimber } from './hill-climber';
import { LatencyWindow, RecentSizes } from './latency-window';

export type Policy = 'static' | 'deeprecsched';
export type Phase = 'static' | 'measuring' | 'tuning-batch' | 'tuning-offload' | 'steady';

/** Batch sizes DeepRecSched climbs over (powers of two, as in DeepRecSys' batch_configs). */
export const BATCH_CANDIDATES = [4, 8, 16, 32, 64, 128, 256, 512, 1024];
/** Offload thresholds, from "never" down: queries of at least this many items go whole to the accelerator pool. */
export const OFFLOAD_CANDIDATES = [Infinity, 1024, 512, 256, 128, 64, 32];

export interface SchedulerSettings {
  readonly policy: Policy;
  /** Items per batch under the static policy, and the start of the climb (DeepRecSys' baseline: 25). */
  readonly batchSize: number;
  /** Infinity: no offload. */
  readonly offloadThreshold: number;
  readonly targetP95Ms: number;
  /** Completions per measurement window (DeepRecSched checks every 64 queries). */
  readonly windowQueries: number;
  /**
   * Shortest measurement window, ms: at high rates a window of `windowQueries` lasts a fraction
   * of a second and its p95 is mostly noise, so a window closes only when it has both.
   */
  readonly minWindowMs: number;
  /** Relative growth of the arrival rate that starts a new climb (load grew). */
  readonly retuneOnLoadChange: number;
}

/** How one query is served. */
export interface Decision {
  readonly batchSize: number;
  /** Send the whole query, as one batch, to the accelerator pool. */
  readonly offload: boolean;
  /** The configuration epoch the decision belongs to (samples of older epochs are ignored). */
  readonly epoch: number;
}

export interface SchedulerState {
  readonly policy: Policy;
  readonly phase: Phase;
  readonly batchSize: number;
  readonly offloadThreshold: number;
  readonly targetP95Ms: number;
  /** Of the last complete window. */
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly qps: number;
  readonly accelerator: boolean;
  readonly retunes: number;
  /** Measurement windows closed so far. */
  readonly windows: number;
  readonly history: readonly {
    phase: Phase;
    batchSize: number;
    offloadThreshold: number;
    p95Ms: number;
    /** What the climb scored the window by (the latency at the tail query size), ms. */
    scoreMs: number;
    qps: number;
  }[];
}

/**
 * DeepRecSched, online, for one model: measures windows of completed queries and hill climbs
 * the batch size, then the accelerator offload threshold, to the configuration with the lowest
 * tail latency at the load being served (at a fixed arrival rate, the lowest tail is the most
 * headroom, hence the highest latency-bounded throughput near capacity). The tail is scored as
 * the latency at the recent queries' 95th-percentile size (a line fitted through the window's
 * queries), which is far less noisy than a window's p95 under heavy-tailed sizes. Load growing by more
 * than `retuneOnLoadChange`, two windows in a row over the target with the score 50% over the
 * settled one, or an accelerator pool appearing or vanishing starts a new climb.
 */
export class ModelScheduler {
  private settings: SchedulerSettings;
  private phase: Phase;
  private batchSize: number;
  private offloadThreshold: number;
  private epoch = 0;
  private window: LatencyWindow;
  private climber: HillClimber | undefined;
  private referenceQps = 0;
  private accelerator = false;
  /** Largest query seen recently: thresholds above it offload nothing, so the climb skips them. */
  private largestItems = 0;
  /** Sizes of the recent queries, whatever their configuration: the tail size the climb scores at. */
  private readonly sizes = new RecentSizes(2048);
  private last = { p95Ms: 0, p99Ms: 0, qps: 0 };
  private retunes = 0;
  private windows = 0;
  /** The score the configuration settled with. */
  private settledScore = Infinity;
  /** Steady windows in a row that missed the target and scored far worse than at settling. */
  private misses = 0;
  private readonly history: SchedulerState['history'][number][] = [];

  /**
   * `now` is the clock of the windows (ms; the completions' times, hence the measured load): the
   * process's monotonic clock, or a test's.
   */
  constructor(
    settings: SchedulerSettings,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.window = new LatencyWindow(now);
    this.settings = validate(settings);
    this.batchSize = settings.batchSize;
    this.offloadThreshold = settings.offloadThreshold;
    this.phase = settings.policy === 'static' ? 'static' : 'measuring';
  }

  decide(items: number): Decision {
    const offload = this.accelerator && items >= this.offloadThreshold;
    return { batchSize: this.batchSize, offload, epoch: this.epoch };
  }

  /** Whether an accelerator pool serves the model now (a change re-tunes the threshold). */
  setAccelerator(present: boolean): void {
    if (present === this.accelerator) return;
    this.accelerator = present;
    if (this.settings.policy === 'deeprecsched') this.restart('accelerator pool changed');
  }

  /** A query served with `decision` completed in `latencyMs`. */
  observe(decision: Decision, latencyMs: number, items: number): void {
    this.largestItems = Math.max(this.largestItems, items);
    this.sizes.add(items);
    if (decision.epoch !== this.epoch) return;
    this.window.add({ latencyMs, items, at: this.now() });
    if (
      this.window.size < this.settings.windowQueries ||
      this.window.ageMs() < this.settings.minWindowMs
    )
      return;
    const w = this.window.summary();
    const atTail = this.window.latencyAt(this.sizes.p95());
    this.windows++;
    this.last = w;
    this.window = new LatencyWindow(this.now);
    this.step(w.p95Ms, w.qps, Number.isFinite(atTail) ? atTail : w.p95Ms);
  }

  configure(change: Partial<SchedulerSettings>): void {
    this.settings = validate({ ...this.settings, ...change });
    if (change.batchSize !== undefined) this.batchSize = change.batchSize;
    if (change.offloadThreshold !== undefined) this.offloadThreshold = change.offloadThreshold;
    if (this.settings.policy === 'static') {
      if (change.policy !== undefined) {
        this.batchSize = change.batchSize ?? 25;
        this.offloadThreshold = change.offloadThreshold ?? Infinity;
      }
      this.phase = 'static';
      this.climber = undefined;
      this.bump();
    } else this.restart('configured');
  }

  state(): SchedulerState {
    return {
      policy: this.settings.policy,
      phase: this.phase,
      batchSize: this.batchSize,
      offloadThreshold: this.offloadThreshold,
      targetP95Ms: this.settings.targetP95Ms,
      ...this.last,
      accelerator: this.accelerator,
      retunes: this.retunes,
      windows: this.windows,
      history: this.history.slice(-20),
    };
  }

  /**
   * One closed window: `p95` and `qps` as measured, `score` what the climb minimises (the
   * latency at the recent queries' 95th-percentile size, see LatencyWindow.latencyAt).
   */
  private step(p95: number, qps: number, score: number): void {
    this.history.push({
      phase: this.phase,
      batchSize: this.batchSize,
      offloadThreshold: this.offloadThreshold,
      p95Ms: p95,
      scoreMs: score,
      qps,
    });
    if (this.history.length > 200) this.history.shift();
    switch (this.phase) {
      case 'static':
        return;
      case 'measuring':
        this.referenceQps = qps;
        this.climber = new HillClimber(BATCH_CANDIDATES, this.batchSize);
        this.phase = 'tuning-batch';
        this.apply(this.climber.current(), this.offloadThreshold);
        return;
      case 'tuning-batch':
      case 'tuning-offload': {
        const climber = this.climber as HillClimber;
        climber.report(score);
        if (!climber.done) {
          if (this.phase === 'tuning-batch') this.apply(climber.current(), this.offloadThreshold);
          else this.apply(this.batchSize, climber.current());
          return;
        }
        if (this.phase === 'tuning-batch') {
          this.apply(climber.best(), this.offloadThreshold);
          if (this.accelerator) {
            // Thresholds above every query seen all mean "offload nothing": a plateau the climb
            // could not cross. Climb over "never" and the thresholds that do split the traffic.
            const useful = OFFLOAD_CANDIDATES.filter(
              (t) => t === Infinity || t <= this.largestItems,
            );
            this.climber = new HillClimber(useful, Infinity);
            this.phase = 'tuning-offload';
            this.apply(this.batchSize, this.climber.current());
            return;
          }
        } else this.apply(this.batchSize, climber.best());
        this.settledScore = climber.bestScore;
        this.phase = 'steady';
        this.climber = undefined;
        return;
      }
      case 'steady': {
        // More load than the configuration was tuned for re-tunes. Less load does not: what met
        // the target at the higher load has more headroom now, and a climb at a low rate is slow
        // (windows of few queries) and spends its windows on worse configurations. At the same
        // load, a p95 over target re-tunes only when the mesh itself got slower (the score 50%
        // over what it settled with, two windows in a row: a worker lost, a noisy neighbour):
        // a target just missed at capacity is not helped by a climb, whose exploring makes the
        // tail worse.
        const growth = this.referenceQps > 0 ? qps / this.referenceQps - 1 : 0;
        const slower = p95 > this.settings.targetP95Ms && score > 1.5 * this.settledScore;
        this.misses = slower ? this.misses + 1 : 0;
        if (growth > this.settings.retuneOnLoadChange) this.restart('load grew');
        else if (this.misses >= 2) this.restart('the mesh got slower');
        return;
      }
    }
  }

  private restart(_why: string): void {
    if (this.settings.policy === 'static') return;
    this.retunes++;
    this.misses = 0;
    this.phase = 'measuring';
    this.climber = undefined;
    this.bump();
  }

  private apply(batchSize: number, offloadThreshold: number): void {
    this.batchSize = batchSize;
    this.offloadThreshold = offloadThreshold;
    this.bump();
  }

  private bump(): void {
    this.epoch++;
    this.window = new LatencyWindow(this.now);
  }
}

function validate(s: SchedulerSettings): SchedulerSettings {
  if (s.policy !== 'static' && s.policy !== 'deeprecsched')
    throw invalidArgument('policy', s.policy, 'one of static, deeprecsched');
  if (!(Number.isInteger(s.batchSize) && s.batchSize >= 1))
    throw invalidArgument('batch_size', s.batchSize, 'must be an integer >= 1');
  if (!(s.offloadThreshold >= 1))
    throw invalidArgument(
      'offload_threshold',
      s.offloadThreshold,
      'must be >= 1 (or unset for no offload)',
    );
  if (!(s.targetP95Ms > 0)) throw invalidArgument('target_p95_ms', s.targetP95Ms, 'must be > 0');
  if (!(s.minWindowMs >= 0)) throw invalidArgument('min_window_ms', s.minWindowMs, 'must be >= 0');
  if (!(Number.isInteger(s.windowQueries) && s.windowQueries >= 8))
    throw invalidArgument('window_queries', s.windowQueries, 'must be an integer >= 8');
  return s;
}
