// The one public door of @recmesh/runtime. `boot` loads no gRPC code; `runService` loads it on
// first call, after boot has started telemetry (so the gRPC instrumentation can patch it).
import type { ReloadOutcome } from './reload-log';
import type { BootOptions, RunningService, ServiceContext, ServiceParts } from './run-service';
import type { VersionedHoldings } from './version-keeper';

export { boot } from './boot';
export type { Booted } from './boot';
export type { BootOptions, RunningService, ServiceContext, ServiceParts };
export { logReload } from './reload-log';
export type { ReloadOutcome } from './reload-log';
export type { VersionedHoldings } from './version-keeper';

export function runService(
  options: BootOptions,
  build: (context: ServiceContext) => Promise<ServiceParts>,
): Promise<RunningService> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const impl = require('./run-service') as typeof import('./run-service');
  return impl.runService(options, build);
}

/**
 * Keeps a service's model versions (see version-keeper): loaded on call, because it reaches
 * @recmesh/bus and with it gRPC, which must load after telemetry has started.
 */
export function keepVersions<R extends ReloadOutcome>(
  context: ServiceContext,
  holdings: VersionedHoldings<R>,
): { reload: () => Promise<R>; stop: () => void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const impl = require('./version-keeper') as typeof import('./version-keeper');
  return impl.keepVersions(context, holdings);
}
