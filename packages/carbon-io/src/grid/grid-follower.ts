import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjectsFor } from '@recmesh/bus';
import { parseGridPoint, type GridPoint } from '@recmesh/carbon';
import { ensureGridStream } from './grid-stream';
import { onWindowBoundary } from './window-boundary';

export interface GridFollower {
  /** Resolves once every point stored before the follower started has been delivered. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

export interface GridFollowerHandlers {
  /**
   * A point, with its effective time: the later of `from` and when the stream stored it, rounded
   * up to the next usage-window boundary (onWindowBoundary).
   */
  readonly onPoint: (point: GridPoint, storedMs: number) => void;
  /** A message that is not a valid point for this region (why, and the stream sequence). */
  readonly onReject: (why: string, seq: number) => void;
}

/**
 * Follows a region's grid points from the start of the mesh's grid stream (an ordered consumer:
 * nothing to ack, replayed whole on every start), so every process that reads the feed builds
 * the same series.
 */
export async function followGrid(
  nc: NatsConnection,
  mesh: string,
  region: string,
  handlers: GridFollowerHandlers,
): Promise<GridFollower> {
  const stream = await ensureGridStream(nc, mesh);
  const subject = subjectsFor(mesh).grid(region);
  const info = await (
    await jetstreamManager(nc)
  ).streams.info(stream, { subjects_filter: subject });
  let backlog = info.state.subjects?.[subject] ?? 0;
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  if (backlog === 0) caughtUp();
  const consumer = await jetstream(nc).consumers.get(stream, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const m of messages) {
      try {
        const doc: unknown = JSON.parse(new TextDecoder().decode(m.data));
        const p = parseGridPoint(doc, `grid point #${m.seq}`, region, subject);
        if (p.region !== region)
          throw new Error(`region "${p.region}" on the subject of ${region}`);
        const storedMs = m.time.getTime();
        handlers.onPoint(
          { ...p, fromMs: onWindowBoundary(Math.max(p.fromMs, storedMs)) },
          storedMs,
        );
      } catch (err) {
        handlers.onReject((err as Error).message, m.seq);
      }
      if (--backlog <= 0 || m.info.pending === 0) caughtUp();
    }
  })();
  return {
    ready,
    async stop() {
      await messages.close();
      await done;
    },
  };
}
