import { RecmeshError } from '@recmesh/errors';

/**
 * The addon's errors as RecmeshError kinds (native/addon/napi-util.h): bad input is
 * invalid_argument, device memory exhausted is resource_exhausted, any other CUDA failure is
 * internal. `what` names the call.
 */
export function fromAddonError(err: unknown, what: string): RecmeshError {
  const code = (err as { code?: unknown }).code;
  const message = `cuda ${what}: ${err instanceof Error ? err.message : String(err)}`;
  switch (code) {
    case 'ERR_RECMESH_CUDA_INPUT':
      return new RecmeshError('invalid_argument', message, { field: what, cause: err });
    case 'ERR_RECMESH_CUDA_OOM':
      return new RecmeshError('resource_exhausted', message, { field: what, cause: err });
    default:
      return new RecmeshError('internal', message, { cause: err });
  }
}

/** Runs a synchronous addon call, mapping its error. */
export function callAddon<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fromAddonError(err, what);
  }
}
