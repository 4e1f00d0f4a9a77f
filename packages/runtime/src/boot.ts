import { hostname } from 'node:os';
import {
  commonSpec,
  loadConfig,
  type CommonConfig,
  type ConfigOf,
  type ConfigSpec,
} from '@recmesh/config';
import { createLogger, startTelemetry, type Logger, type Telemetry } from '@recmesh/telemetry';

export interface Booted<S extends ConfigSpec> {
  readonly instance: string;
  /** Variables every service reads. */
  readonly common: CommonConfig;
  /** The service's own variables. */
  readonly config: ConfigOf<S>;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
}

/**
 * The first thing a service's main does: read its configuration (once), start telemetry, make
 * the logger. Nothing here loads @grpc/grpc-js, so the gRPC instrumentation patches it when the
 * service module is required afterwards. A bad variable ends the process with its name.
 */
export async function boot<S extends ConfigSpec>(service: string, spec: S): Promise<Booted<S>> {
  let common: CommonConfig;
  let config: ConfigOf<S>;
  try {
    common = loadConfig(commonSpec);
    config = loadConfig(spec);
  } catch (err) {
    process.stderr.write(`${service}: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const instance = common.instanceId ?? `${service}-${hostname()}-${process.pid}`;
  const logger = createLogger({ service, instance, level: common.logLevel });
  const telemetry = await startTelemetry({
    service,
    instance,
    host: common.host,
    metricsPort: common.metricsPort,
    otlpEndpoint: common.otlpEndpoint,
  });
  process.on('uncaughtException', (err) => {
    logger.fatal({ err: err.stack ?? String(err) }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal(
      { err: err instanceof Error ? (err.stack ?? err.message) : String(err) },
      'unhandled rejection',
    );
    process.exit(1);
  });
  return { instance, common, config, logger, telemetry };
}
