import { EventEmitter } from 'node:events';
import type { Announcement, Role } from '@recmesh/bus';
import {
  DenseServiceClient,
  EmbeddingServiceClient,
  type DescribeResponse,
  type DescribeWorkerResponse,
} from '@recmesh/proto';
import { clientArgs, unaryCall } from '@recmesh/rpc';
import type { Logger } from '@recmesh/telemetry';
import type { PeerSource } from './peer-source';

/**
 * Peers given by address (RECMESH_SHARDS, RECMESH_WORKERS) rather than discovered. Each is asked
 * what it holds (Describe) every `pollMs`; one that does not answer is not routed to.
 */
export class StaticPeers extends EventEmitter<{ change: [] }> implements PeerSource {
  private readonly live = new Map<string, Announcement>();
  private timer: NodeJS.Timeout | undefined;
  private readonly shardClients: Map<string, EmbeddingServiceClient>;
  private readonly workerClients: Map<string, DenseServiceClient>;

  constructor(
    shards: readonly string[],
    workers: readonly string[],
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {
    super();
    this.shardClients = new Map(
      shards.map((a) => [a, new EmbeddingServiceClient(a, ...clientArgs())]),
    );
    this.workerClients = new Map(
      workers.map((a) => [a, new DenseServiceClient(a, ...clientArgs())]),
    );
  }

  /** Polls once (so the first routes exist when this resolves), then every pollMs. */
  async start(): Promise<void> {
    if (this.shardClients.size + this.workerClients.size === 0) return;
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const c of [...this.shardClients.values(), ...this.workerClients.values()]) c.close();
  }

  list(role?: Role): Announcement[] {
    return [...this.live.values()].filter((a) => role === undefined || a.role === role);
  }

  evict(id: string): void {
    if (this.live.delete(id)) this.emit('change');
  }

  private async poll(): Promise<void> {
    const deadline = Date.now() + Math.min(this.pollMs, 2000);
    const seen = new Map<string, Announcement>();
    const base = { metricsPort: 0, heartbeatMs: this.pollMs, startedAt: 0, pid: 0, ready: true };
    await Promise.all([
      ...[...this.shardClients].map(async ([address, client]) => {
        try {
          const d = await unaryCall<object, DescribeResponse>(
            client.describe.bind(client),
            {},
            { deadline },
          );
          seen.set(`static:${address}`, {
            ...base,
            id: `static:${address}`,
            role: 'embedding-shard',
            address,
            backend: d.backend,
            group: d.group,
            models: [...new Set(d.partitions.map((p) => p.model))],
            partitions: d.partitions.map((p) => ({
              model: p.model,
              table: p.table,
              rowStart: Number(p.rowStart),
              rowEnd: Number(p.rowEnd),
              version: p.version === 0 ? 1 : p.version,
              ...(p.retiring ? { retiring: true } : {}),
            })),
          });
        } catch (err) {
          this.logger.debug({ address, err: String(err) }, 'static shard did not answer');
        }
      }),
      ...[...this.workerClients].map(async ([address, client]) => {
        try {
          const d = await unaryCall<object, DescribeWorkerResponse>(
            client.describeWorker.bind(client),
            {},
            { deadline },
          );
          seen.set(`static:${address}`, {
            ...base,
            id: `static:${address}`,
            role: 'dense-worker',
            address,
            backend: d.backend,
            models: d.models,
            ...(d.modelVersions.length === 0
              ? {}
              : {
                  modelVersions: d.modelVersions.map((v) => ({
                    model: v.model,
                    version: v.version,
                    ...(v.retiring ? { retiring: true } : {}),
                    ...(v.tables ? { tables: true } : {}),
                  })),
                }),
          });
        } catch (err) {
          this.logger.debug({ address, err: String(err) }, 'static worker did not answer');
        }
      }),
    ]);
    const before = JSON.stringify([...this.live.entries()]);
    this.live.clear();
    for (const [id, a] of seen) this.live.set(id, a);
    if (JSON.stringify([...this.live.entries()]) !== before) this.emit('change');
  }
}
