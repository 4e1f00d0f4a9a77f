import { readFileSync } from 'node:fs';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { dirname, join } from 'node:path';
import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  loadFileDescriptorSetFromBuffer,
  loadSync,
  type PackageDefinition,
} from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { descriptorSetPath } from '@recmesh/proto';
import type { Logger } from '@recmesh/telemetry';
import { FLOW_CONTROL_WINDOW_BYTES, SERVER_OPTIONS } from './channel-options';

export interface ServiceBinding {
  /** Full name, e.g. `recmesh.v1.EmbeddingService`: the health service reports it. */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface RpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly services: readonly ServiceBinding[];
  readonly logger: Logger;
}

export interface RpcServer {
  readonly port: number;
  /** Serving or not, for every service and for the whole server (""). */
  setServing(serving: boolean): void;
  /**
   * Stops accepting calls, lets in-flight calls finish for up to `drainMs`, then cuts what is
   * left. Health turns NOT_SERVING first so that load balancers move away.
   */
  shutdown(drainMs: number): Promise<void>;
}

let reflectionPackages: PackageDefinition | undefined;

const REFLECTION_SERVICE = 'grpc.reflection.v1.ServerReflection';

/** recmesh's descriptor set plus grpc.health.v1 and grpc.reflection.v1, read once per process. */
function reflectionPackage(): PackageDefinition {
  const reflectionProtos = join(
    dirname(require.resolve('@grpc/reflection/package.json')),
    'build/proto',
  );
  reflectionPackages ??= {
    ...loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath)),
    ...loadSync(healthProtoPath),
    ...loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [reflectionProtos] }),
  };
  return reflectionPackages;
}

/**
 * Opens every HTTP/2 connection the server accepts to FLOW_CONTROL_WINDOW_BYTES, per connection
 * and per stream, as the clients' channel option does on their side. grpc-js has no server
 * option for it, so this reaches the server's HTTP/2 listeners (a private field of grpc-js 1.14;
 * where a later grpc-js moves it, the server logs that once and keeps Node's 64 KiB).
 */
function widenFlowControlWindows(server: Server, logger: Logger): void {
  const listeners = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(listeners instanceof Map)) {
    logger.warn(
      'grpc-js exposes no HTTP/2 listeners: requests keep the 64 KiB flow-control window',
    );
    return;
  }
  for (const listener of listeners.keys() as IterableIterator<Http2Server>) {
    listener.on('session', (session: ServerHttp2Session) => {
      // A session destroyed before this runs (the peer hung up at once) throws; it needs no window.
      if (session.destroyed) return;
      try {
        session.setLocalWindowSize(FLOW_CONTROL_WINDOW_BYTES);
        session.settings({ initialWindowSize: FLOW_CONTROL_WINDOW_BYTES });
      } catch (err) {
        logger.debug({ err: String(err) }, 'flow-control window not widened on a closing session');
      }
    });
  }
}

/** A gRPC server with the given services, grpc.health.v1 (Check, Watch) and server reflection. */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const server = new Server(SERVER_OPTIONS);
  for (const service of options.services)
    server.addService(service.definition, service.implementation);

  const names = ['', ...options.services.map((s) => s.name)];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'NOT_SERVING'])));
  health.addToServer({
    addService(definition, implementation) {
      const watch = implementation.watch as ((call: NodeJS.EventEmitter) => void) | undefined;
      // A Watch stream whose client goes away emits 'error'; without a listener that would
      // crash the process (grpc-health-check 2.x leaves it unhandled).
      if (watch !== undefined) {
        implementation.watch = (call: NodeJS.EventEmitter) => {
          call.on('error', () => undefined);
          watch(call);
        };
      }
      server.addService(definition, implementation);
    },
  });
  // List only what this server serves (grpcurl list shows exactly that).
  new ReflectionService(reflectionPackage(), {
    services: [...options.services.map((s) => s.name), 'grpc.health.v1.Health', REFLECTION_SERVICE],
  }).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${options.host}:${options.port}`,
      ServerCredentials.createInsecure(),
      (err, bound) => (err === null ? resolve(bound) : reject(err)),
    );
  });

  widenFlowControlWindows(server, options.logger);

  const setServing = (serving: boolean) => {
    for (const name of names) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
  };

  return {
    port,
    setServing,
    async shutdown(drainMs) {
      setServing(false);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          options.logger.warn({ drainMs }, 'drain timed out; cutting the calls still in flight');
          server.forceShutdown();
          resolve();
        }, drainMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
