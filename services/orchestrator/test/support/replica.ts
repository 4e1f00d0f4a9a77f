import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { EmbeddingServiceService, type LookupRequest, type LookupResponse } from '@recmesh/proto';
import { SERVER_OPTIONS } from '@recmesh/rpc';

/** `slow` answers after the ms named in the request's model (`delay:50`). */
export type Behaviour = 'answer' | 'stall' | 'invalid' | 'slow';

/**
 * A real EmbeddingService on an ephemeral port whose Lookup answers, stalls or refuses;
 * `onCall` hears of each call as it arrives.
 */
export async function startReplica(
  id: string,
  behaviour: Behaviour,
  onCall?: (request: LookupRequest) => void,
) {
  const seen = { calls: 0, cancelled: 0 };
  const server = new Server(SERVER_OPTIONS);
  server.addService(EmbeddingServiceService, {
    lookup(
      call: ServerUnaryCall<LookupRequest, LookupResponse>,
      callback: sendUnaryData<LookupResponse>,
    ) {
      seen.calls++;
      onCall?.(call.request);
      call.on('cancelled', () => seen.cancelled++);
      const reply: LookupResponse = { pooled: [], shardId: id, backend: 'test', computeMs: 0 };
      if (behaviour === 'answer') callback(null, reply);
      else if (behaviour === 'slow')
        setTimeout(() => callback(null, reply), Number(call.request.model.split(':')[1]));
      else if (behaviour === 'invalid')
        callback({ code: status.INVALID_ARGUMENT, details: 'lookups[0].table: 99 is not held' });
    },
    describe(_call: unknown, callback: sendUnaryData<unknown>) {
      callback({ code: status.UNIMPLEMENTED });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    ),
  );
  return { id, address: `127.0.0.1:${port}`, seen, stop: () => server.forceShutdown() };
}
