// The one public door of @recmesh/proto: generated wire types and service definitions.
import { join } from 'node:path';

export * from './gen';
export { encodePredictRequest, preEncoded, type EncodedPredict } from './wire';
export { bagOffsets, isOneHot } from './bags';

/** FileDescriptorSet of every recmesh service plus grpc.health.v1, for server reflection. */
export const descriptorSetPath = join(__dirname, 'descriptor-set.binpb');
