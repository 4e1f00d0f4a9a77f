import { EventEmitter } from 'node:events';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { parseAnnouncement, type Announcement, type Role } from './announcement';
import { subjectsFor } from './subjects';

/** Heartbeats a peer may miss before it is dropped. */
export const MISSED_HEARTBEATS = 3;

interface Entry {
  announcement: Announcement;
  lastSeen: number;
  /** What routing depends on, to tell a change from a plain heartbeat. */
  fingerprint: string;
}

/** The parts of an announcement routing and version lifecycles depend on. */
function fingerprint(a: Announcement): string {
  return JSON.stringify([
    a.ready,
    a.address,
    a.models,
    a.modelVersions ?? null,
    a.partitions?.map((p) => [p.model, p.table, p.rowStart, p.rowEnd, p.version, p.retiring]) ??
      null,
    a.inUse ?? null,
    a.pool ?? null,
  ]);
}

/**
 * The live services of a mesh, learnt from announcements. A peer is dropped when it says
 * goodbye or misses three heartbeats. Emits `change` whenever the set or a peer's state (ready,
 * address, models, versions, partitions, versions in use) changes.
 */
export class PeerRegistry extends EventEmitter<{ change: [] }> {
  private readonly peers = new Map<string, Entry>();
  private readonly subs: Subscription[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly mesh: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** Subscribes, asks every service to announce itself, and starts expiring silent peers. */
  start(sweepMs = 250): void {
    const subjects = subjectsFor(this.mesh);
    this.subs.push(
      this.nc.subscribe(subjects.announceAll, { callback: (_e, msg) => this.seen(msg.data) }),
      this.nc.subscribe(subjects.leaveAll, { callback: (_e, msg) => this.left(msg.data) }),
    );
    this.nc.publish(subjects.discover);
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    for (const sub of this.subs) sub.unsubscribe();
    this.subs.length = 0;
  }

  /** Live peers, optionally of one role. */
  list(role?: Role): Announcement[] {
    const out: Announcement[] = [];
    for (const { announcement } of this.peers.values()) {
      if (role === undefined || announcement.role === role) out.push(announcement);
    }
    return out;
  }

  /** Drops a peer now (a call to it failed as UNAVAILABLE); its next heartbeat brings it back. */
  evict(id: string): void {
    if (this.peers.delete(id)) this.emit('change');
  }

  private seen(data: Uint8Array): void {
    const a = parseAnnouncement(data);
    if (a === undefined) return;
    const before = this.peers.get(a.id);
    const print = fingerprint(a);
    this.peers.set(a.id, { announcement: a, lastSeen: this.now(), fingerprint: print });
    // Models, versions and partitions change on a reload: routes follow them.
    if (before === undefined || before.fingerprint !== print) this.emit('change');
  }

  private left(data: Uint8Array): void {
    const a = parseAnnouncement(data);
    if (a !== undefined && this.peers.delete(a.id)) this.emit('change');
  }

  private sweep(): void {
    const now = this.now();
    let changed = false;
    for (const [id, { announcement, lastSeen }] of this.peers) {
      if (now - lastSeen > MISSED_HEARTBEATS * announcement.heartbeatMs) {
        this.peers.delete(id);
        changed = true;
      }
    }
    if (changed) this.emit('change');
  }
}

/**
 * Whether any live orchestrator among `peers` says it still sends queries to `model` at
 * `version` (its announcement's `inUse`): a snapshot taken when called.
 */
export function inUseByOrchestrators(
  peers: PeerRegistry,
): (model: string, version: number) => boolean {
  const used = new Set<string>();
  for (const o of peers.list('orchestrator'))
    for (const u of o.inUse ?? []) for (const v of u.versions) used.add(`${u.model}@${v}`);
  return (model, version) => used.has(`${model}@${version}`);
}
