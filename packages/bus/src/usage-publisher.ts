import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { splitByBusy } from '@recmesh/carbon';
import { UsageEvent } from '@recmesh/proto';
import { ensureUsageStream } from './usage-stream';
import { subjectsFor } from './subjects';

export interface UsageDelta {
  busyS?: number;
  bytesMoved?: number;
  /** Energy the backend itself gives for this work (nmp models its hardware's), J, no PUE. */
  energyJ?: number;
  /** How energyJ was obtained; a nonzero energy without one counts as measured. */
  energyMethod?: 'measured' | 'modelled';
  queries?: number;
  items?: number;
  /** Carbon receipts given (orchestrators), grams CO2e. */
  receiptOperationalG?: number;
  receiptEmbodiedG?: number;
}

/** Measures the energy the process caused since the last call, J; undefined = not measured. */
export interface EnergySampler {
  readonly sample: () => Promise<number | undefined>;
  /** What it reads, carried by every measured event. */
  readonly source: string;
}

export interface UsageKey {
  readonly model: string;
  readonly backend: string;
}

export interface UsagePublisherOptions {
  readonly mesh: string;
  readonly service: string;
  readonly instance: string;
  /** Copies JetStream keeps of the usage stream when this publisher creates it. */
  readonly streamReplicas?: number;
  /** Hardware profile of the process (every event names it). */
  readonly profile: string;
  /** Events waiting for JetStream beyond this are dropped, counted and logged. */
  readonly maxPending?: number;
  readonly onError?: (err: unknown, pending: number) => void;
}

/** The key of a process's own work outside any model (measured energy with no busy time). */
const OVERHEAD: UsageKey = { model: '', backend: '' };
const idOf = (key: UsageKey) => `${key.model}\u0000${key.backend}`;

interface Window {
  key: UsageKey;
  start: number;
  totals: Required<Omit<UsageDelta, 'energyMethod'>>;
  /** Methods of the nonzero energies the backend recorded in the window. */
  methods: Set<'measured' | 'modelled'>;
}

/**
 * Aggregates a service's usage per (model, backend) and publishes one event per key per flush
 * to JetStream. Each event's id is its JetStream message id: a re-sent event is stored once.
 * Events that could not be published stay pending (same id) and are retried on the next flush.
 */
export class UsagePublisher {
  private readonly windows = new Map<string, Window>();
  private readonly pending: UsageEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private ready: Promise<unknown> | undefined;
  private energy: EnergySampler | undefined;
  dropped = 0;
  published = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: UsagePublisherOptions,
  ) {}

  record(key: UsageKey, delta: UsageDelta): void {
    const id = idOf(key);
    let w = this.windows.get(id);
    if (w === undefined) {
      w = {
        key,
        start: Date.now(),
        totals: {
          busyS: 0,
          bytesMoved: 0,
          energyJ: 0,
          queries: 0,
          items: 0,
          receiptOperationalG: 0,
          receiptEmbodiedG: 0,
        },
        methods: new Set(),
      };
      this.windows.set(id, w);
    }
    const t = w.totals;
    t.busyS += delta.busyS ?? 0;
    t.bytesMoved += delta.bytesMoved ?? 0;
    t.energyJ += delta.energyJ ?? 0;
    if ((delta.energyJ ?? 0) > 0) w.methods.add(delta.energyMethod ?? 'measured');
    t.queries += delta.queries ?? 0;
    t.items += delta.items ?? 0;
    t.receiptOperationalG += delta.receiptOperationalG ?? 0;
    t.receiptEmbodiedG += delta.receiptEmbodiedG ?? 0;
  }

  /**
   * Measures the process's energy from now on: each flush splits the joules of its window among
   * the window's (model, backend) keys by busy seconds. Joules of a window with no busy work go
   * to an event of their own (model "") so that none is dropped. Keys whose backend gave its own
   * energy (an emulated device's model) keep that figure and take no share of the meter's.
   */
  meterWith(energy: EnergySampler): void {
    this.energy = energy;
  }

  start(intervalMs: number): void {
    // Windows close on wall-clock multiples of the interval (whole seconds by default), where grid
    // intensity points take effect too: no window straddles a change of the grid factor.
    const arm = () => {
      this.timer = setTimeout(
        () => {
          void this.flush();
          arm();
        },
        intervalMs - (Date.now() % intervalMs),
      );
      this.timer.unref();
    };
    arm();
  }

  /** Closes the open windows into events and publishes everything pending. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }

  private async doFlush(): Promise<void> {
    const measuredJ = this.energy === undefined ? undefined : await this.energy.sample();
    const now = Date.now();
    const own = (w: Window) => w.totals.energyJ > 0;
    let busyS = 0;
    for (const w of this.windows.values()) if (!own(w)) busyS += w.totals.busyS;
    if (measuredJ !== undefined && measuredJ > 0 && !(busyS > 0)) this.record(OVERHEAD, {});
    const metered = [...this.windows].filter(([, w]) => !own(w));
    const joules =
      measuredJ === undefined
        ? undefined
        : splitByBusy(
            measuredJ,
            new Map(metered.map(([id, w]) => [id, w.totals.busyS])),
            idOf(OVERHEAD),
          );
    for (const [id, w] of this.windows) {
      const meterJ = joules?.get(id);
      const energy = own(w)
        ? {
            energyJ: w.totals.energyJ,
            energyMethod: energyMethodOf(w),
            energySource: `${w.key.backend} backend`,
          }
        : meterJ === undefined
          ? { energyJ: 0, energyMethod: 'modelled', energySource: '' }
          : { energyJ: meterJ, energyMethod: 'measured', energySource: this.energy?.source ?? '' };
      const event: UsageEvent = {
        id: randomUUID(),
        service: this.options.service,
        instance: this.options.instance,
        backend: w.key.backend,
        model: w.key.model,
        windowStartMs: w.start,
        windowEndMs: now,
        busyS: w.totals.busyS,
        bytesMoved: w.totals.bytesMoved,
        ...energy,
        queries: w.totals.queries,
        items: w.totals.items,
        profile: this.options.profile,
        receiptOperationalG: w.totals.receiptOperationalG,
        receiptEmbodiedG: w.totals.receiptEmbodiedG,
      };
      this.pending.push(event);
    }
    this.windows.clear();
    const max = this.options.maxPending ?? 10_000;
    if (this.pending.length > max) {
      const over = this.pending.length - max;
      this.pending.splice(0, over);
      this.dropped += over;
    }
    if (this.pending.length === 0 || this.nc.isClosed()) return;
    try {
      this.ready ??= ensureUsageStream(
        this.nc,
        this.options.mesh,
        this.options.streamReplicas ?? 1,
      );
      await this.ready;
      const js = jetstream(this.nc);
      const subject = subjectsFor(this.options.mesh).usage(this.options.service);
      while (this.pending.length > 0) {
        const event = this.pending[0] as UsageEvent;
        await js.publish(subject, UsageEvent.encode(event).finish(), { msgID: event.id });
        this.pending.shift();
        this.published++;
      }
    } catch (err) {
      this.ready = undefined;
      this.options.onError?.(err, this.pending.length);
    }
  }
}

/**
 * The method of the energy a backend recorded: "measured", "modelled" (by the backend, e.g. an
 * emulated device), or "mixed" when a window holds both.
 */
function energyMethodOf(w: Window): string {
  return w.methods.size > 1 ? 'mixed' : ([...w.methods][0] as string);
}
