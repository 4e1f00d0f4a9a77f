// The one public door of @recmesh/telemetry. Nothing here loads @grpc/grpc-js.
export { startTelemetry } from './telemetry';
export type { Telemetry, TelemetryOptions } from './telemetry';
export { createLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { meter } from './meter';
