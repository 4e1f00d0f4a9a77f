// The one public door of @recmesh/runtime. `boot` loads no gRPC code; `runService` loads it on
// first call, after boot has started telemetry (so the gRPC instrumentation can patch it).
import type { BootOptions, RunningService, ServiceContext, ServiceParts } from './run-service';

export { boot } from './boot';
export type { Booted } from './boot';
export type { BootOptions, RunningService, ServiceContext, ServiceParts };

export function runService(
  options: BootOptions,
  build: (context: ServiceContext) => Promise<ServiceParts>,
): Promise<RunningService> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const impl = require('./run-service') as typeof import('./run-service');
  return impl.runService(options, build);
}
