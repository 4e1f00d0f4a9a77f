import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';

export type { NatsConnection };

export interface BusOptions {
  /** Comma-separated NATS URLs. */
  readonly servers: string;
  /** Connection name shown by the server (`nats server report connections`). */
  readonly name: string;
  /** How long to try the first connection, ms. */
  readonly timeoutMs?: number;
  readonly onStatus?: (event: { type: string; data?: unknown }) => void;
  /** Credentials, where the server asks for them. */
  readonly auth?: {
    readonly user?: string | undefined;
    readonly pass?: string | undefined;
    readonly token?: string | undefined;
    /** Path of a NATS `.creds` file (JWT + nkey seed). */
    readonly credsFile?: string | undefined;
  };
}

function authOptions(auth: BusOptions['auth']): Partial<ConnectionOptions> {
  if (auth === undefined) return {};
  const out: Partial<ConnectionOptions> = {};
  if (auth.user !== undefined) out.user = auth.user;
  if (auth.pass !== undefined) out.pass = auth.pass;
  if (auth.token !== undefined) out.token = auth.token;
  if (auth.credsFile !== undefined)
    out.authenticator = credsAuthenticator(new Uint8Array(readFileSync(auth.credsFile)));
  return out;
}

/** Connects to NATS and keeps reconnecting forever once connected. */
export async function connectBus(options: BusOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: options.servers.split(',').map((s) => s.trim()),
    name: options.name,
    timeout: options.timeoutMs ?? 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    ...authOptions(options.auth),
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
