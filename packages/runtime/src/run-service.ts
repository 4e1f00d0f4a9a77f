import {
  connectBus,
  startAnnouncer,
  subjectsFor,
  UsagePublisher,
  type Announcement,
  type HeldModelVersion,
  type HeldPartition,
  type NatsConnection,
  type Role,
  type VersionsInUse,
} from '@recmesh/bus';
import type { HardwareProfile } from '@recmesh/carbon';
import { createEnergyMeter, loadProfiles, pickProfile, USAGE_WINDOW_MS } from '@recmesh/carbon-io';
import type { CommonConfig } from '@recmesh/config';
import { startRpcServer, type ServiceBinding } from '@recmesh/rpc';
import type { Logger, Telemetry } from '@recmesh/telemetry';

/** What a service process has once it is up. */
export interface ServiceContext {
  readonly role: Role;
  readonly instance: string;
  readonly config: CommonConfig;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly nc: NatsConnection;
  readonly usage: UsagePublisher;
  /** Every hardware profile (shipped and RECMESH_PROFILES_DIR), checked at start. */
  readonly profiles: ReadonlyMap<string, HardwareProfile>;
  /** The profile this process runs on (RECMESH_HARDWARE_PROFILE). */
  readonly profile: HardwareProfile;
  /** Publishes the announcement now (after a reload, a released version); no-op before start. */
  announceNow(): void;
}

/** What a service brings: its gRPC services and what it announces. */
export interface ServiceParts {
  readonly backend: string;
  readonly services: readonly ServiceBinding[];
  readonly models?: () => readonly string[];
  readonly group?: string;
  readonly pool?: string;
  readonly partitions?: () => readonly HeldPartition[];
  /** Every version of every model it holds (dense workers). */
  readonly modelVersions?: () => readonly HeldModelVersion[];
  /** Versions it still sends queries to (orchestrators). */
  readonly inUse?: () => readonly VersionsInUse[];
  /**
   * Rescans the model repository on `recmesh.<mesh>.models.reload` and says what it did; the
   * report (JSON) is the reply to the request.
   */
  readonly reload?: () => Promise<object>;
  /** Runs after in-flight calls have drained, before NATS closes. */
  readonly onStop?: () => Promise<void>;
}

export interface RunningService {
  readonly address: string;
  readonly port: number;
  stop(reason: string): Promise<void>;
}

export interface BootOptions {
  readonly role: Role;
  readonly instance: string;
  readonly config: CommonConfig;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** How often usage windows are closed and published, ms (on wall-clock multiples). */
  readonly usageFlushMs?: number;
}

/**
 * Runs one service: connects to NATS, builds the service's parts (tables, sessions), serves gRPC
 * with health and reflection, announces itself every heartbeat, and on SIGTERM or SIGINT says
 * goodbye, stops accepting calls, drains those in flight, flushes usage and closes NATS.
 */
export async function runService(
  options: BootOptions,
  build: (context: ServiceContext) => Promise<ServiceParts>,
): Promise<RunningService> {
  const { role, instance, config, logger, telemetry } = options;
  // A bad profile stops the service here, naming the file and field, before it serves anything.
  const profiles = loadProfiles(config.profilesDir);
  const profile = pickProfile(profiles, config.hardwareProfile, 'RECMESH_HARDWARE_PROFILE');
  const nc = await connectBus({
    servers: config.natsUrl,
    auth: {
      user: config.natsUser,
      pass: config.natsPassword,
      token: config.natsToken,
      credsFile: config.natsCreds,
    },
    name: instance,
    onStatus: (status) => logger.info({ nats: status.type }, 'nats status'),
  });
  logger.info({ nats: config.natsUrl, mesh: config.mesh }, 'connected to NATS');
  const usage = new UsagePublisher(nc, {
    mesh: config.mesh,
    service: role,
    instance,
    streamReplicas: config.streamReplicas,
    profile: profile.name,
    onError: (err, pending) =>
      logger.warn({ err: String(err), pending }, 'usage events not published yet; will retry'),
  });
  usage.start(options.usageFlushMs ?? USAGE_WINDOW_MS);
  const announceRef: { now: () => void } = { now: () => undefined };
  const context: ServiceContext = {
    role,
    instance,
    config,
    logger,
    telemetry,
    nc,
    usage,
    profiles,
    profile,
    announceNow: () => announceRef.now(),
  };

  const parts = await build(context);
  const meter = await createEnergyMeter({ mode: config.energy, backend: parts.backend });
  if (meter.method === 'measured')
    usage.meterWith({ sample: () => meter.sample(), source: meter.description });
  logger.info({ energy: meter.method, meter: meter.description, profile: profile.name }, 'energy');
  const server = await startRpcServer({
    host: config.host,
    port: config.port,
    services: parts.services,
    logger,
  });
  const address = `${config.advertiseHost ?? config.host}:${server.port}`;
  const startedAt = Date.now();
  let ready = true;
  const announcement = (): Announcement => ({
    id: instance,
    role,
    address,
    backend: parts.backend,
    profile: profile.name,
    models: [...(parts.models?.() ?? [])],
    ...(parts.group === undefined ? {} : { group: parts.group }),
    ...(parts.pool === undefined ? {} : { pool: parts.pool }),
    ...(parts.partitions === undefined ? {} : { partitions: [...parts.partitions()] }),
    ...(parts.modelVersions === undefined ? {} : { modelVersions: [...parts.modelVersions()] }),
    ...(parts.inUse === undefined ? {} : { inUse: [...parts.inUse()] }),
    metricsPort: telemetry.metricsPort,
    heartbeatMs: config.heartbeatMs,
    startedAt,
    pid: process.pid,
    ready,
  });
  const announcer = startAnnouncer(nc, config.mesh, announcement);
  announceRef.now = () => announcer.announceNow();
  const reload = parts.reload;
  // One reload at a time: a second request waits for the first and then rescans again.
  let reloading: Promise<unknown> = Promise.resolve();
  const reloads =
    reload === undefined
      ? undefined
      : nc.subscribe(subjectsFor(config.mesh).modelsReload, {
          callback: (_err, msg) => {
            const run = reloading.then(async () => {
              logger.info('model repository reload requested');
              let reply: object;
              try {
                reply = { id: instance, role, ...(await reload()) };
              } catch (err) {
                reply = { id: instance, role, error: String(err) };
              }
              announcer.announceNow();
              if (msg.reply !== undefined && !nc.isClosed())
                msg.respond(new TextEncoder().encode(JSON.stringify(reply)));
            });
            reloading = run.catch(() => undefined);
          },
        });
  server.setServing(true);
  logger.info({ address, metricsPort: telemetry.metricsPort, backend: parts.backend }, 'ready');

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info(
        { reason, drainMs: config.drainMs },
        'stopping: no new calls, draining those in flight',
      );
      ready = false;
      reloads?.unsubscribe();
      await announcer.stop();
      await server.shutdown(config.drainMs);
      await parts.onStop?.();
      await usage.stop();
      await nc.drain();
      logger.info('stopped');
      await telemetry.shutdown();
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err: String(err) }, 'unclean stop');
          process.exit(1);
        },
      );
    });
  }
  return { address, port: server.port, stop };
}
