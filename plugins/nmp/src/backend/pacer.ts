import type { Job } from '../model/job';
import type { BatchModel, EpochModel } from '../model/nmp-model';

/**
 * Resolves at `targetMs` (performance.now() time) without blocking the event loop: a timer for
 * the bulk of the wait (timers fire a millisecond or so late), then setImmediate turns until the
 * target, so a sub-millisecond modelled latency is kept too.
 */
export function waitUntil(targetMs: number): Promise<void> {
  return new Promise((resolve) => {
    const spin = () => {
      if (performance.now() >= targetMs) resolve();
      else setImmediate(spin);
    };
    const ahead = targetMs - performance.now();
    if (ahead > 2) setTimeout(spin, ahead - 1.5);
    else spin();
  });
}

interface Waiting {
  readonly job: Job;
  /** When the batch reached the backend (performance.now()): the hardware starts it then. */
  readonly arrivedMs: number;
  readonly resolve: (batch: BatchModel) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The emulated device in real time (paced mode). A batch that finds the device idle starts when
 * it arrived; batches that arrive while it is busy wait and start together, as one epoch, when it
 * frees up (so co-located tables share the hardware and table-aware scheduling has something
 * to group). Each batch resolves when the modelled hardware would have finished it.
 */
export class DevicePacer {
  private freeAtMs = 0;
  private readonly waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly runEpoch: (jobs: readonly Job[]) => EpochModel) {}

  submit(job: Job, arrivedMs: number): Promise<BatchModel> {
    return new Promise<BatchModel>((resolve, reject) => {
      this.waiting.push({ job, arrivedMs, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when every submitted batch has finished. */
  async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight.size > 0 || this.timer !== undefined) {
      await Promise.all([...this.inFlight]);
      if (this.waiting.length > 0 || this.timer !== undefined) await waitUntil(this.freeAtMs);
      await new Promise((r) => setImmediate(r));
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const delay = this.freeAtMs - performance.now();
    // setImmediate lets batches submitted in the same turn join the epoch.
    this.timer =
      delay > 0 ? setTimeout(() => this.dispatch(), delay) : setImmediate(() => this.dispatch());
  }

  private dispatch(): void {
    this.timer = undefined;
    const batch = this.waiting.splice(0);
    if (batch.length === 0) return;
    // The device takes the epoch when it is free and its first batch has arrived; the exact
    // computation on the CPU overlaps the modelled time.
    const arrived = Math.min(...batch.map((w) => w.arrivedMs));
    const startMs = Math.max(arrived, this.freeAtMs);
    let epoch: EpochModel;
    try {
      epoch = this.runEpoch(batch.map((w) => w.job));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    this.freeAtMs = startMs + epoch.nmpLatencyS * 1000;
    batch.forEach((w, i) => {
      const model = epoch.batches[i] as BatchModel;
      const done = waitUntil(startMs + model.nmpLatencyS * 1000).then(() => w.resolve(model));
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done));
    });
    if (this.waiting.length > 0) this.schedule();
  }
}
