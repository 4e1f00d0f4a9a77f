import type { EventEmitter } from 'node:events';
import type { Announcement, Role } from '@recmesh/bus';

/** Where the orchestrator learns its peers: NATS announcements, static addresses. */
export interface PeerSource extends EventEmitter<{ change: [] }> {
  list(role?: Role): Announcement[];
  /** A call to this peer failed as unavailable: stop routing to it until it is seen again. */
  evict(id: string): void;
}
