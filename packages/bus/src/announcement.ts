/** One table range a shard holds (the plan's partition, confirmed by the shard). */
export interface HeldPartition {
  readonly model: string;
  readonly table: number;
  readonly rowStart: number;
  readonly rowEnd: number;
  /** Element type the shard holds the rows in (fp32, fp16, int8). */
  readonly dtype?: string;
  /** Bytes of memory the rows take on the shard. */
  readonly bytes?: number;
  /** Version of the model the rows belong to (absent: 1, a built-in preset). */
  readonly version?: number;
  /** Superseded by a newer version: served only to queries pinned to it, then released. */
  readonly retiring?: boolean;
}

/** A model version a dense worker holds. */
export interface HeldModelVersion {
  readonly model: string;
  readonly version: number;
  readonly retiring?: boolean;
  /** Dense workers: it holds the version's embedding tables and pools a Predict's lookups. */
  readonly tables?: boolean;
}

/** Versions of a model an orchestrator routes to now: the current one and those still in flight. */
export interface VersionsInUse {
  readonly model: string;
  readonly versions: readonly number[];
}

export type Role = 'embedding-shard' | 'dense-worker' | 'orchestrator' | 'carbon-ledger';

/** What a service tells the mesh about itself, every heartbeat. */
export interface Announcement {
  readonly id: string;
  readonly role: Role;
  /** host:port of its gRPC server. */
  readonly address: string;
  readonly backend: string;
  /** Hardware profile it runs on (RECMESH_HARDWARE_PROFILE): receipts cost its work with it. */
  readonly profile?: string;
  /** Models it serves (dense workers, orchestrators). */
  readonly models: readonly string[];
  /** Every version of every model it holds (dense workers; absent: version 1 of each model). */
  readonly modelVersions?: readonly HeldModelVersion[];
  /**
   * Versions it still sends queries to (orchestrators): shards and workers keep a retiring
   * version while any orchestrator lists it.
   */
  readonly inUse?: readonly VersionsInUse[];
  /** Worker pool of a dense worker: `cpu`, or `accel` for the accelerator pool DeepRecSched offloads large queries to. */
  readonly pool?: string;
  /** Shard group it belongs to (embedding shards). */
  readonly group?: string;
  /** Table ranges it holds and serves (embedding shards). */
  readonly partitions?: readonly HeldPartition[];
  readonly metricsPort: number;
  /** The interval of its announcements, ms: peers drop it after three missed. */
  readonly heartbeatMs: number;
  readonly startedAt: number;
  readonly pid: number;
  /** Ready to serve (tables loaded, sessions created). */
  readonly ready: boolean;
}

const ROLES: ReadonlySet<string> = new Set([
  'embedding-shard',
  'dense-worker',
  'orchestrator',
  'carbon-ledger',
]);

/** Parses an announcement from the wire; undefined for anything malformed. */
export function parseAnnouncement(data: Uint8Array): Announcement | undefined {
  try {
    const a = JSON.parse(new TextDecoder().decode(data)) as Partial<Announcement>;
    if (typeof a.id !== 'string' || typeof a.address !== 'string' || !ROLES.has(a.role ?? ''))
      return undefined;
    if (typeof a.heartbeatMs !== 'number' || !(a.heartbeatMs > 0)) return undefined;
    return a as Announcement;
  } catch {
    return undefined;
  }
}

export function encodeAnnouncement(a: Announcement): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(a));
}
