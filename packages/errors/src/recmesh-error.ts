/**
 * What went wrong, independent of transport. Each kind maps to exactly one gRPC status code
 * (see grpc-status.ts), so handlers throw kinds and never pick codes themselves.
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'cancelled'
  | 'failed_precondition'
  | 'config'
  | 'internal';

export interface ErrorDetails {
  /** The field, variable or file at fault, e.g. `items.sparse[2].bags.offsets`. */
  field?: string;
  /** The offending value, rendered short. */
  value?: unknown;
  cause?: unknown;
}

const BRAND = Symbol.for('recmesh.error');

export class RecmeshError extends Error {
  readonly [BRAND] = true;
  readonly kind: ErrorKind;
  readonly field: string | undefined;
  readonly value: unknown;

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RecmeshError';
    this.kind = kind;
    this.field = details.field;
    this.value = details.value;
  }
}

/** Brand check that survives duplicated module copies (no instanceof across realms). */
export function isRecmeshError(err: unknown): err is RecmeshError {
  return (
    typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true
  );
}

function render(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** `field` is `value`: `why`. The message always names the field and the value at fault. */
export function invalidArgument(field: string, value: unknown, why: string): RecmeshError {
  return new RecmeshError('invalid_argument', `${field} = ${render(value)}: ${why}`, {
    field,
    value,
  });
}

export function notFound(field: string, value: unknown, why: string): RecmeshError {
  return new RecmeshError('not_found', `${field} = ${render(value)}: ${why}`, { field, value });
}

export function resourceExhausted(field: string, value: unknown, why: string): RecmeshError {
  return new RecmeshError('resource_exhausted', `${field} = ${render(value)}: ${why}`, {
    field,
    value,
  });
}

export function unavailable(message: string, cause?: unknown): RecmeshError {
  return new RecmeshError('unavailable', message, { cause });
}
