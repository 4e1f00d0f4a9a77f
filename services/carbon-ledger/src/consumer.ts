import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  refusalOf,
  type BookedEvent,
  type Booking,
  type Rejection,
  type Store,
} from '@recmesh/carbon-books';
import { UsageEvent } from '@recmesh/proto';
import type { Logger } from '@recmesh/telemetry';
import type { LedgerMetrics } from './metrics';

export interface ConsumerOptions {
  readonly nc: NatsConnection;
  readonly stream: string;
  readonly filterSubject: string;
  readonly durable: string;
  /** Most events per transaction. */
  readonly batch: number;
  readonly ackWaitMs: number;
  readonly store: Store;
  readonly booking: Booking;
  readonly profiles: ReadonlyMap<string, unknown>;
  readonly metrics: LedgerMetrics;
  readonly logger: Logger;
}

export interface RunningConsumer {
  /** Settles when consumption ends: resolves on stop, rejects if the books cannot be written. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Creates the durable consumer, or brings its ack wait up to date. */
async function ensureConsumer(o: ConsumerOptions): Promise<void> {
  const jsm = await jetstreamManager(o.nc);
  const config = {
    durable_name: o.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: o.filterSubject,
    ack_wait: nanos(o.ackWaitMs),
    max_ack_pending: Math.max(1000, o.batch * 4),
  };
  const existing = await jsm.consumers.info(o.stream, o.durable).catch(() => undefined);
  if (existing === undefined) await jsm.consumers.add(o.stream, config);
  else if (existing.config.ack_wait !== config.ack_wait)
    await jsm.consumers.update(o.stream, o.durable, { ack_wait: config.ack_wait });
}

/**
 * Consumes usage events with the durable pull consumer and explicit acks. Events that arrive
 * together are booked in one transaction (at most `batch`); only after it commits are they
 * acked, and refused ones terminated (after their reason is stored).
 */
export async function startConsumer(o: ConsumerOptions): Promise<RunningConsumer> {
  await ensureConsumer(o);
  const created = (await (await jetstreamManager(o.nc)).streams.info(o.stream)).created;
  const consumer = await jetstream(o.nc).consumers.get(o.stream, o.durable);
  const messages = await consumer.consume({ max_messages: o.batch * 2 });

  const commit = (batch: JsMsg[]) => {
    const events: BookedEvent[] = [];
    const rejections: Rejection[] = [];
    const refused = new Set<JsMsg>();
    for (const m of batch) {
      const refuse = (reason: string, message: string, eventId = '') => {
        rejections.push({
          key: `${o.stream}@${created}#${m.seq}`,
          eventId,
          subject: m.subject,
          reason,
          message,
          payload: m.data,
        });
        refused.add(m);
      };
      let event: UsageEvent;
      try {
        event = UsageEvent.decode(m.data);
      } catch (err) {
        refuse('undecodable', `payload: not a UsageEvent: ${(err as Error).message}`);
        continue;
      }
      const refusal = refusalOf(event, o.profiles);
      if (refusal === undefined) events.push(o.booking.cost(event));
      else refuse(refusal.reason, refusal.message, event.id);
    }
    const result = o.store.book(events, rejections);
    for (const m of batch)
      if (refused.has(m)) m.term();
      else m.ack();
    o.metrics.booked.add(result.booked);
    o.metrics.duplicates.add(result.duplicates);
    for (const r of rejections) {
      o.metrics.rejected.add(1, { reason: r.reason });
      o.logger.warn({ seq: r.key, reason: r.reason, why: r.message }, 'usage event refused');
    }
    for (const e of result.bookedEvents) {
      o.metrics.carbon.add(e.operationalG, { kind: 'operational' });
      o.metrics.carbon.add(e.embodiedG, { kind: 'embodied' });
    }
  };

  const done = (async () => {
    let batch: JsMsg[] = [];
    for await (const m of messages) {
      batch.push(m);
      if (batch.length >= o.batch || messages.getPending() === 0) {
        commit(batch);
        batch = [];
      }
    }
  })();
  return {
    done,
    async stop() {
      await messages.close();
      await done.catch(() => undefined);
    },
  };
}
