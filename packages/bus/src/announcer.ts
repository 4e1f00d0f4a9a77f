import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { encodeAnnouncement, type Announcement } from './announcement';
import { subjectsFor } from './subjects';

export interface Announcer {
  /** Publish now (after a change such as becoming ready). */
  announceNow(): void;
  /** Says goodbye (so peers stop routing at once) and stops the heartbeat. */
  stop(): Promise<void>;
}

/**
 * Publishes `current()` every heartbeat and whenever someone asks on the discover subject.
 */
export function startAnnouncer(
  nc: NatsConnection,
  mesh: string,
  current: () => Announcement,
): Announcer {
  const subjects = subjectsFor(mesh);
  const publish = () => {
    const a = current();
    if (!nc.isClosed()) nc.publish(subjects.announce(a.role), encodeAnnouncement(a));
  };
  const timer = setInterval(publish, current().heartbeatMs);
  timer.unref();
  const discover: Subscription = nc.subscribe(subjects.discover, { callback: () => publish() });
  publish();
  return {
    announceNow: publish,
    async stop() {
      clearInterval(timer);
      discover.unsubscribe();
      if (nc.isClosed()) return;
      const a = current();
      nc.publish(subjects.leave(a.role), encodeAnnouncement(a));
      await nc.flush();
    },
  };
}
