// The one public door of @recmesh/errors.
export {
  RecmeshError,
  isRecmeshError,
  invalidArgument,
  notFound,
  unavailable,
  resourceExhausted,
} from './recmesh-error';
export type { ErrorKind, ErrorDetails } from './recmesh-error';
export { toGrpcStatus, fromGrpcError, grpcCodeName, GrpcCode } from './grpc-status';
