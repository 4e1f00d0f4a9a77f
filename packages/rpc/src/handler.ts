import {
  Metadata,
  type handleUnaryCall,
  type ServerUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { grpcCodeName, toGrpcStatus } from '@recmesh/errors';
import { meter, type Logger } from '@recmesh/telemetry';

// Made on first use: the meter provider is registered by startTelemetry, which may run after
// this module loads, and instruments made before it would stay no-ops.
let instruments: ReturnType<typeof makeInstruments> | undefined;
function makeInstruments() {
  return {
    requests: meter().createCounter('recmesh_rpc_server_requests', {
      description: 'gRPC calls handled, by method and status code',
    }),
    duration: meter().createHistogram('recmesh_rpc_server_duration_ms', {
      description: 'gRPC handler latency',
      unit: 'ms',
      advice: {
        explicitBucketBoundaries: [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      },
    }),
  };
}

/** The gRPC error for a handler's exception: code from the error's kind, field in metadata. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const status = toGrpcStatus(err);
  const metadata = new Metadata();
  if (status.field !== undefined) metadata.set('recmesh-field', status.field);
  return { code: status.code, details: status.details, metadata };
}

/**
 * Adapts an async handler to grpc-js: its result or its error (mapped once, by kind) goes back
 * to the caller, and every call is counted and timed.
 */
export function unary<Req, Res>(
  method: string,
  logger: Logger,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    const finish = (code: number) => {
      instruments ??= makeInstruments();
      const { requests, duration } = instruments;
      const attrs = { method, code: grpcCodeName(code) };
      requests.add(1, attrs);
      duration.record(performance.now() - started, attrs);
    };
    // Through a promise, so a handler that throws before its first await is mapped the same way.
    new Promise<Res>((resolve) => resolve(handler(call.request, call))).then(
      (response) => {
        // The caller went away (cancelled, deadline): nobody reads the answer.
        if (call.cancelled) {
          finish(1);
          return;
        }
        finish(0);
        callback(null, response);
      },
      (err: unknown) => {
        const status = toServiceError(err);
        finish(status.code ?? 2);
        const level = status.code === 13 ? 'error' : 'info';
        logger[level](
          { method, code: grpcCodeName(status.code ?? 2), err: status.details },
          'call failed',
        );
        callback(status);
      },
    );
  };
}
