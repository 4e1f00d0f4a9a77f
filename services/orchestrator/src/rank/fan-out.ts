import type { Announcement } from '@recmesh/bus';
import { fromGrpcError, GrpcCode, RecmeshError, unavailable } from '@recmesh/errors';
import type {
  LookupRequest,
  LookupResponse,
  PredictRequest,
  PredictResponse,
} from '@recmesh/proto';
import { unaryCall, type CallContext } from '@recmesh/rpc';
import type { Balancer } from '../routing/balancer';
import type { ClientPool } from '../routing/client-pool';
import type { Router } from '../routing/router';

export interface FanOutDeps {
  readonly router: Router;
  readonly balancer: Balancer;
  readonly clients: ClientPool;
}

/**
 * Calls one replica, least loaded first. A replica that is unavailable (process gone, connection
 * refused) is evicted and the call goes to the next one: lookups and predictions are pure, so a
 * retry is safe. Any other failure, or no replica left, ends the call with an error naming who.
 */
async function callReplica<Res>(
  deps: FanOutDeps,
  what: string,
  replicas: () => readonly Announcement[],
  call: (peer: Announcement) => Promise<Res>,
  context: CallContext,
): Promise<Res> {
  const tried = new Set<string>();
  let lastError: unknown;
  for (;;) {
    const peer = deps.balancer.pick(replicas(), tried);
    if (peer === undefined) {
      const detail =
        lastError === undefined
          ? 'no live replica'
          : `every replica failed, last: ${fromGrpcError(lastError, [...tried].at(-1) ?? '').message}`;
      throw unavailable(`${what} is unavailable: ${detail}`);
    }
    tried.add(peer.id);
    deps.balancer.begin(peer.id);
    try {
      return await call(peer);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === GrpcCode.UNAVAILABLE && context.signal?.aborted !== true) {
        deps.router.evict(peer.id);
        lastError = err;
        continue;
      }
      if (code === GrpcCode.CANCELLED)
        throw new RecmeshError('cancelled', `${what}: cancelled`, { cause: err });
      throw fromGrpcError(err, `${what} (${peer.id} at ${peer.address})`);
    } finally {
      deps.balancer.end(peer.id);
    }
  }
}

export function lookup(
  deps: FanOutDeps,
  group: string,
  request: LookupRequest,
  context: CallContext,
): Promise<LookupResponse> {
  return callReplica(
    deps,
    `embedding shard group ${group}`,
    () => deps.router.replicas(group),
    (peer) => {
      const client = deps.clients.embeddingClient(peer.address);
      return unaryCall(client.lookup.bind(client), request, context);
    },
    context,
  );
}

export function predict(
  deps: FanOutDeps,
  request: PredictRequest,
  context: CallContext,
  pool: 'cpu' | 'accel' = 'cpu',
): Promise<PredictResponse> {
  return callReplica(
    deps,
    `dense worker pool ${pool} of ${request.model}`,
    () => deps.router.workers(request.model, pool),
    (peer) => {
      const client = deps.clients.denseClient(peer.address);
      return unaryCall(client.predict.bind(client), request, context);
    },
    context,
  );
}
