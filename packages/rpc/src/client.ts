import {
  credentials,
  Metadata,
  propagate,
  type CallOptions,
  type ClientUnaryCall,
  type ServerUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { RecmeshError } from '@recmesh/errors';
import { CHANNEL_OPTIONS } from './channel-options';

export interface CallContext {
  /** Absolute deadline; a parent's earlier deadline wins. */
  readonly deadline?: Date | number;
  /**
   * The server call this sub-call serves: its deadline and its cancellation carry over
   * (grpc-js propagation), so a cancelled query cancels its sub-calls.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly parent?: ServerUnaryCall<any, any>;
  /** Cancels the call when aborted (a sibling sub-call failed, the query is over). */
  readonly signal?: AbortSignal;
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** One unary call as a promise, with deadline, parent propagation and cancellation. */
export function unaryCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  context: CallContext = {},
): Promise<Res> {
  const { signal } = context;
  if (signal?.aborted === true) {
    return Promise.reject(
      new RecmeshError('cancelled', 'the query was cancelled before this call started'),
    );
  }
  const options: Partial<CallOptions> = {};
  if (context.deadline !== undefined) options.deadline = context.deadline;
  if (context.parent !== undefined) {
    options.parent = context.parent;
    // grpc-js propagates cancellation with one listener on the parent per sub-call, never
    // removed: a query fanned out into dozens of batches tripped Node's 10-listener warning.
    // Where the caller passes a signal (the orchestrator aborts it when the query is cancelled),
    // the signal cancels the sub-call instead, and only the deadline and tracing propagate.
    options.propagate_flags =
      signal === undefined ? propagate.DEFAULTS : propagate.DEFAULTS & ~propagate.CANCELLATION;
  }
  return new Promise<Res>((resolve, reject) => {
    const call = method(request, new Metadata(), options, (error, response) => {
      signal?.removeEventListener('abort', onAbort);
      if (error === null) resolve(response);
      else reject(error);
    });
    function onAbort() {
      call.cancel();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Options every recmesh client channel uses (message size limits, keepalive). */
export function clientArgs(): [
  ReturnType<typeof credentials.createInsecure>,
  typeof CHANNEL_OPTIONS,
] {
  return [credentials.createInsecure(), CHANNEL_OPTIONS];
}
