import assert from 'node:assert/strict';
import { createServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  connectivityState,
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  status,
  type Client,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS,
  KEEPALIVE_TIME_MS,
  KEEPALIVE_TIMEOUT_MS,
  SERVER_OPTIONS,
} from '../src/channel-options';

const raw = (b: Buffer) => b;
/** One unary method on raw bytes: it echoes, or never answers when asked for "stall". */
const definition: ServiceDefinition = {
  echo: {
    path: '/test.Keepalive/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};
const EchoClient = makeGenericClientConstructor(definition, 'Keepalive');
type Echo = Client & {
  echo(
    req: Buffer,
    opts: { deadline: number },
    cb: (err: ServiceError | null, res?: Buffer) => void,
  ): void;
};

async function startServer(): Promise<{ port: number; server: Server }> {
  const server = new Server(SERVER_OPTIONS);
  server.addService(definition, {
    echo(call: { request: Buffer }, cb: (err: null, res: Buffer) => void) {
      if (call.request.toString() !== 'stall') cb(null, call.request);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    ),
  );
  return { port, server };
}

/**
 * A TCP relay that can go silent: once frozen it forwards nothing and closes nothing, as a host
 * whose link went down (no FIN, no RST reaches the client).
 */
async function startRelay(
  target: number,
): Promise<{ port: number; freeze(): void; close(): void }> {
  let frozen = false;
  const sockets: Socket[] = [];
  const relay: TcpServer = createServer((downstream) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.push(downstream, upstream);
    downstream.on('data', (d) => frozen || upstream.write(d));
    upstream.on('data', (d) => frozen || downstream.write(d));
    for (const s of [downstream, upstream]) s.on('error', () => undefined);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const address = relay.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    freeze: () => (frozen = true),
    close: () => {
      for (const s of sockets) s.destroy();
      relay.close();
    },
  };
}

const cleanups: (() => void)[] = [];
after(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

const echo = (client: Echo, text: string, deadlineMs: number) =>
  new Promise<Buffer | undefined>((resolve, reject) =>
    client.echo(Buffer.from(text), { deadline: Date.now() + deadlineMs }, (err, res) =>
      err === null ? resolve(res) : reject(err),
    ),
  );

describe('client keepalive', () => {
  it('a server with SERVER_OPTIONS keeps a client that pings every second connected', async () => {
    const { port, server } = await startServer();
    cleanups.push(() => server.forceShutdown());
    const client = new EchoClient(
      `127.0.0.1:${port}`,
      credentials.createInsecure(),
      CHANNEL_OPTIONS,
    ) as unknown as Echo;
    cleanups.push(() => client.close());
    await echo(client, 'hello', 2000);
    const channel = client.getChannel();
    const states: number[] = [];
    let watching = true;
    const watch = (current: number) =>
      channel.watchConnectivityState(current, Infinity, () => {
        const next = channel.getConnectivityState(false);
        if (!watching) return;
        states.push(next);
        watch(next);
      });
    watch(channel.getConnectivityState(false));
    // Four ping intervals, idle and busy: a GOAWAY (too_many_pings) would drop the connection.
    await new Promise((r) => setTimeout(r, 2 * KEEPALIVE_TIME_MS));
    for (let i = 0; i < 20; i++) await echo(client, `call ${i}`, 2000);
    await new Promise((r) => setTimeout(r, 2 * KEEPALIVE_TIME_MS));
    watching = false;
    assert.deepEqual(states, [], 'the channel stayed READY');
    assert.equal(channel.getConnectivityState(false), connectivityState.READY);
  });

  it('a call in flight to a peer that went silent ends UNAVAILABLE within keepalive, long before its deadline', async () => {
    const { port, server } = await startServer();
    const relay = await startRelay(port);
    cleanups.push(() => server.forceShutdown(), relay.close);
    const client = new EchoClient(
      `127.0.0.1:${relay.port}`,
      credentials.createInsecure(),
      CHANNEL_OPTIONS,
    ) as unknown as Echo;
    cleanups.push(() => client.close());
    await echo(client, 'warm', 2000);
    const pending = echo(client, 'stall', 30_000);
    relay.freeze();
    const cut = performance.now();
    const err = await pending.then(
      () => assert.fail('a silent peer answered'),
      (e: ServiceError) => e,
    );
    const ms = performance.now() - cut;
    assert.equal(err.code, status.UNAVAILABLE, err.message);
    const bound = KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS;
    assert.ok(ms <= bound + 500, `noticed after ${Math.round(ms)} ms (bound ${bound} ms)`);
  });
});
