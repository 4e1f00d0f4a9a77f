import { isRecmeshError, RecmeshError, type ErrorKind } from './recmesh-error';

/**
 * gRPC status codes (grpc/doc/statuscodes.md). Numbers, not @grpc/grpc-js's enum, so that this
 * package loads before the telemetry SDK patches grpc-js.
 */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** The one place where error kinds become gRPC status codes. */
const CODE_OF: Record<ErrorKind, number> = {
  invalid_argument: GrpcCode.INVALID_ARGUMENT,
  not_found: GrpcCode.NOT_FOUND,
  resource_exhausted: GrpcCode.RESOURCE_EXHAUSTED,
  unavailable: GrpcCode.UNAVAILABLE,
  deadline_exceeded: GrpcCode.DEADLINE_EXCEEDED,
  cancelled: GrpcCode.CANCELLED,
  failed_precondition: GrpcCode.FAILED_PRECONDITION,
  config: GrpcCode.FAILED_PRECONDITION,
  internal: GrpcCode.INTERNAL,
};

const KIND_OF = new Map<number, ErrorKind>(
  (Object.entries(CODE_OF) as [ErrorKind, number][])
    .filter(([kind]) => kind !== 'config')
    .map(([kind, code]) => [code, kind]),
);

const NAME_OF = new Map<number, string>(
  Object.entries(GrpcCode).map(([name, code]) => [code, name]),
);

export function grpcCodeName(code: number): string {
  return NAME_OF.get(code) ?? `CODE_${code}`;
}

/** Code and message for a handler's error; anything that is not a RecmeshError is INTERNAL. */
export function toGrpcStatus(err: unknown): { code: number; details: string; field?: string } {
  if (isRecmeshError(err)) {
    return {
      code: CODE_OF[err.kind],
      details: err.message,
      ...(err.field === undefined ? {} : { field: err.field }),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: GrpcCode.INTERNAL, details: `internal error: ${message}` };
}

/** A sub-call's gRPC failure as a RecmeshError of the matching kind, prefixed with `context`. */
export function fromGrpcError(err: unknown, context: string): RecmeshError {
  if (isRecmeshError(err)) return err;
  const e = err as { code?: unknown; details?: unknown };
  const kind = (typeof e.code === 'number' && KIND_OF.get(e.code)) || 'internal';
  const details =
    typeof e.details === 'string' && e.details !== ''
      ? e.details
      : err instanceof Error
        ? err.message
        : String(err);
  return new RecmeshError(kind, `${context}: ${details}`, { cause: err });
}
