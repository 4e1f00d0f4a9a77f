import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { invalidArgument } from '@recmesh/errors';
import {
  DenseServiceClient,
  DenseServiceService,
  type PredictRequest,
  type PredictResponse,
} from '@recmesh/proto';
import { createLogger } from '@recmesh/telemetry';
import {
  checkHealth,
  FLOW_CONTROL_WINDOW_BYTES,
  listServices,
  startRpcServer,
  unary,
  type RpcServer,
} from '../src/index';

const logger = createLogger({ service: 'test', instance: 'test', level: 'silent' });

describe('rpc server', () => {
  let server: RpcServer;
  let release: () => void = () => undefined;
  before(async () => {
    server = await startRpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [
        {
          name: 'recmesh.v1.DenseService',
          definition: DenseServiceService,
          implementation: {
            predict: unary(
              'DenseService/Predict',
              logger,
              async (request: PredictRequest): Promise<PredictResponse> => {
                if (request.batch === 0) throw invalidArgument('batch', 0, 'must be >= 1');
                if (request.model === 'slow') await new Promise<void>((r) => (release = r));
                return {
                  scores: Buffer.alloc(4 * request.batch),
                  workerId: 'w',
                  backend: 'cpu',
                  computeMs: 0,
                  tasks: 1,
                  version: 1,
                };
              },
            ),
            describeWorker: unary('DenseService/DescribeWorker', logger, () =>
              Promise.resolve({ workerId: 'w', backend: 'cpu', models: [], modelVersions: [] }),
            ),
          },
        },
      ],
    });
  });
  after(() => server.shutdown(100));

  const address = () => `127.0.0.1:${server.port}`;
  const predict = (request: Partial<PredictRequest>) =>
    new Promise<PredictResponse>((resolve, reject) => {
      const client = new DenseServiceClient(address(), credentials.createInsecure());
      client.predict(
        {
          model: 'm',
          version: 0,
          batch: 1,
          dense: Buffer.alloc(0),
          embeddings: Buffer.alloc(0),
          sharedTables: [],
          lookups: [],
          ...request,
        },
        new Metadata(),
        {},
        (err, res) => {
          client.close();
          if (err === null) resolve(res);
          else reject(err);
        },
      );
    });

  it('answers grpc.health.v1 Check for the server and for each service', async () => {
    server.setServing(true);
    assert.equal(await checkHealth(address()), 'SERVING');
    assert.equal(await checkHealth(address(), 'recmesh.v1.DenseService'), 'SERVING');
    server.setServing(false);
    assert.equal(await checkHealth(address()), 'NOT_SERVING');
    server.setServing(true);
  });

  it('lists its services, health and reflection included, through server reflection', async () => {
    const services = await listServices(address());
    for (const name of [
      'recmesh.v1.DenseService',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
    ]) {
      assert.ok(services.includes(name), `${name} missing from ${services.join(', ')}`);
    }
  });

  it('streams health changes to a Watch, and survives the watcher going away', async () => {
    const { service } = await import('grpc-health-check');
    const { makeGenericClientConstructor } = await import('@grpc/grpc-js');
    const Health = makeGenericClientConstructor(service, 'grpc.health.v1.Health');
    const client = new Health(address(), credentials.createInsecure()) as unknown as {
      watch(req: { service: string }): NodeJS.EventEmitter & { cancel(): void };
      close(): void;
    };
    const call = client.watch({ service: 'recmesh.v1.DenseService' });
    const seen: string[] = [];
    call.on('error', () => undefined);
    call.on('data', (r: { status: string }) => seen.push(r.status));
    await new Promise((r) => setTimeout(r, 100));
    server.setServing(false);
    server.setServing(true);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, ['SERVING', 'NOT_SERVING', 'SERVING']);
    call.cancel();
    client.close();
    await new Promise((r) => setTimeout(r, 100));
    // A status change after the watcher left must not crash the server.
    server.setServing(false);
    server.setServing(true);
    assert.equal(await checkHealth(address()), 'SERVING');
  });

  it('maps an error kind to its status code and names the field in metadata', async () => {
    const err = (await predict({ batch: 0 }).catch((e: unknown) => e)) as ServiceError;
    assert.equal(err.code, status.INVALID_ARGUMENT);
    assert.match(err.details, /batch = 0: must be >= 1/);
    assert.deepEqual(err.metadata.get('recmesh-field'), ['batch']);
  });

  it('maps an error thrown before the first await (regression: it came back as UNKNOWN)', async () => {
    const other = await startRpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [
        {
          name: 'recmesh.v1.DenseService',
          definition: DenseServiceService,
          implementation: {
            predict: unary('DenseService/Predict', logger, (): Promise<PredictResponse> => {
              throw invalidArgument('model', 'x', 'thrown synchronously');
            }),
            describeWorker: unary('DenseService/DescribeWorker', logger, () =>
              Promise.resolve({ workerId: 'w', backend: 'cpu', models: [], modelVersions: [] }),
            ),
          },
        },
      ],
    });
    const client = new DenseServiceClient(`127.0.0.1:${other.port}`, credentials.createInsecure());
    const err = await new Promise<ServiceError>((resolve) =>
      client.predict(
        {
          model: 'x',
          version: 0,
          batch: 1,
          dense: Buffer.alloc(0),
          embeddings: Buffer.alloc(0),
          sharedTables: [],
          lookups: [],
        },
        (e) => resolve(e as ServiceError),
      ),
    );
    client.close();
    await other.shutdown(100);
    assert.equal(err.code, status.INVALID_ARGUMENT);
    assert.match(err.details, /thrown synchronously/);
  });

  it('opens every connection it accepts to the flow-control window, per stream and in all', async () => {
    // Node's default is 64 KiB both ways; a multi-MB Predict would wait for a WINDOW_UPDATE
    // from this server every 64 KiB.
    const session = connect(`http://127.0.0.1:${server.port}`);
    try {
      // Node sends its own SETTINGS first; the wider ones follow (or, after 2 s, never came).
      const settings = await new Promise<{ initialWindowSize?: number }>((resolve) => {
        let last = {};
        const timer = setTimeout(() => resolve(last), 2000);
        session.on('remoteSettings', (s) => {
          last = s;
          if (s.initialWindowSize !== FLOW_CONTROL_WINDOW_BYTES) return;
          clearTimeout(timer);
          resolve(s);
        });
      });
      assert.equal(settings.initialWindowSize, FLOW_CONTROL_WINDOW_BYTES);
      // The connection's window arrives as a WINDOW_UPDATE on stream 0.
      const until = Date.now() + 2000;
      while ((session.state.remoteWindowSize ?? 0) < FLOW_CONTROL_WINDOW_BYTES) {
        assert.ok(Date.now() < until, `connection window ${session.state.remoteWindowSize}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      session.close();
    }
  });

  it('drains a call in flight on shutdown, then refuses new ones', async () => {
    const other = await startRpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [],
    });
    await other.shutdown(50);
    const slow = predict({ model: 'slow', batch: 2 });
    await new Promise((r) => setTimeout(r, 50));
    const stopping = server.shutdown(5000);
    await new Promise((r) => setTimeout(r, 50));
    release();
    const reply = await slow;
    assert.equal(reply.scores.length, 8);
    await stopping;
    await assert.rejects(predict({}), (e: ServiceError) => e.code === status.UNAVAILABLE);
  });
});
