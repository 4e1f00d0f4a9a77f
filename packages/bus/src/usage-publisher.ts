import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { UsageEvent } from '@recmesh/proto';
import { ensureUsageStream } from './usage-stream';
import { subjectsFor } from './subjects';

export interface UsageDelta {
  busyS?: number;
  bytesMoved?: number;
  energyJ?: number;
  /** How energyJ was obtained; a nonzero energy without one counts as measured. */
  energyMethod?: 'measured' | 'modelled';
  queries?: number;
  items?: number;
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
  /** Events waiting for JetStream beyond this are dropped, counted and logged. */
  readonly maxPending?: number;
  readonly onError?: (err: unknown, pending: number) => void;
}

interface Window {
  key: UsageKey;
  start: number;
  totals: Required<Omit<UsageDelta, 'energyMethod'>>;
  /** Methods of the nonzero energies recorded in the window. */
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
  dropped = 0;
  published = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: UsagePublisherOptions,
  ) {}

  record(key: UsageKey, delta: UsageDelta): void {
    const id = `${key.model}\u0000${key.backend}`;
    let w = this.windows.get(id);
    if (w === undefined) {
      w = {
        key,
        start: Date.now(),
        totals: { busyS: 0, bytesMoved: 0, energyJ: 0, queries: 0, items: 0 },
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
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Closes the open windows into events and publishes everything pending. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }

  private async doFlush(): Promise<void> {
    const now = Date.now();
    for (const w of this.windows.values()) {
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
        energyJ: w.totals.energyJ,
        energyMethod: energyMethodOf(w),
        queries: w.totals.queries,
        items: w.totals.items,
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
 * The event's energy method: with no energy the ledger models it ("modelled"); otherwise what
 * the recorded energies were, "mixed" when a window holds both.
 */
function energyMethodOf(w: Window): string {
  if (w.totals.energyJ <= 0 || w.methods.size === 0) return 'modelled';
  return w.methods.size > 1 ? 'mixed' : ([...w.methods][0] as string);
}
