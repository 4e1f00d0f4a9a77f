import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection };

export interface BusOptions {
  /** Comma-separated NATS URLs. */
  readonly servers: string;
  /** Connection name shown by the server (`nats server report connections`). */
  readonly name: string;
  /** How long to try the first connection, ms. */
  readonly timeoutMs?: number;
  readonly onStatus?: (event: { type: string; data?: unknown }) => void;
}

/** Connects to NATS and keeps reconnecting forever once connected. */
export async function connectBus(options: BusOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: options.servers.split(',').map((s) => s.trim()),
    name: options.name,
    timeout: options.timeoutMs ?? 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  const onStatus = options.onStatus;
  if (onStatus !== undefined) {
    void (async () => {
      for await (const status of nc.status()) {
        onStatus({ type: status.type, data: 'data' in status ? status.data : undefined });
      }
    })();
  }
  return nc;
}
