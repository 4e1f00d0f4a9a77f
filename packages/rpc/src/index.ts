// The one public door of @recmesh/rpc: gRPC plumbing shared by every service.
export { asF32, asI32, asU64, bytesOf } from './tensor';
export { BufferPool } from './buffer-pool';
export { bagBatchOf } from './table-lookup';
export {
  CHANNEL_OPTIONS,
  SERVER_OPTIONS,
  MAX_MESSAGE_BYTES,
  FLOW_CONTROL_WINDOW_BYTES,
  KEEPALIVE_TIME_MS,
  KEEPALIVE_TIMEOUT_MS,
} from './channel-options';
export { unary, toServiceError } from './handler';
export { startRpcServer } from './server';
export type { RpcServer, RpcServerOptions, ServiceBinding } from './server';
export { unaryCall, clientArgs } from './client';
export type { CallContext } from './client';
export { checkHealth } from './health-client';
export { listServices } from './reflection-client';
