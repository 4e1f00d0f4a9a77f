import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import { PeerRegistry } from './peer-registry';
import { subjectsFor } from './subjects';
import type { Announcement } from './announcement';

/** One service's answer to a reload: its id and role, and what it loaded, refused and retired. */
export interface ReloadReply {
  readonly id: string;
  readonly role: string;
  readonly [key: string]: unknown;
}

export interface ReloadRequestOptions {
  /** How long to listen for announcements first, to know who should answer, ms. */
  readonly discoverMs: number;
  /** How long to wait for every expected answer, ms. */
  readonly timeoutMs: number;
}

/**
 * Asks every service of the mesh to rescan its model repository
 * (`recmesh.<mesh>.models.reload`) and collects the answers: first learns the live shards,
 * workers and orchestrators from their announcements, then waits until each has answered or
 * the timeout passes. Returns the answers and the services that did not answer.
 */
export async function requestModelsReload(
  nc: NatsConnection,
  mesh: string,
  options: ReloadRequestOptions,
): Promise<{ replies: ReloadReply[]; silent: Announcement[] }> {
  const peers = new PeerRegistry(nc, mesh);
  peers.start();
  await new Promise((r) => setTimeout(r, options.discoverMs));
  const expected = peers
    .list()
    .filter(
      (a) => a.role === 'embedding-shard' || a.role === 'dense-worker' || a.role === 'orchestrator',
    );
  peers.stop();
  const inbox = createInbox();
  const replies = new Map<string, ReloadReply>();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, options.timeoutMs);
    const sub = nc.subscribe(inbox, {
      callback: (_err, msg) => {
        try {
          const reply = JSON.parse(new TextDecoder().decode(msg.data)) as ReloadReply;
          replies.set(reply.id, reply);
        } catch {
          return;
        }
        if (expected.every((a) => replies.has(a.id))) done();
      },
    });
    function done() {
      clearTimeout(timer);
      sub.unsubscribe();
      resolve();
    }
    nc.publish(subjectsFor(mesh).modelsReload, new Uint8Array(0), { reply: inbox });
    if (expected.length === 0) setTimeout(done, Math.min(options.timeoutMs, 1000));
  });
  return {
    replies: [...replies.values()],
    silent: expected.filter((a) => !replies.has(a.id)),
  };
}
