import type { Announcement } from '@recmesh/bus';
import { fromGrpcError, GrpcCode, RecmeshError, unavailable } from '@recmesh/errors';
import type {
  LookupRequest,
  LookupResponse,
  PredictRequest,
  PredictResponse,
} from '@recmesh/proto';
import {
  KEEPALIVE_TIME_MS,
  KEEPALIVE_TIMEOUT_MS,
  unaryCall,
  type BufferPool,
  type CallContext,
} from '@recmesh/rpc';
import type { Balancer } from '../routing/balancer';
import type { ClientPool } from '../routing/client-pool';
import type { HedgePolicy } from '../routing/hedge-policy';
import { workerHoldsTables, type Router } from '../routing/router';

export interface FanOutDeps {
  readonly router: Router;
  readonly balancer: Balancer;
  readonly clients: ClientPool;
  /** When to send a second copy of a slow call to another replica; undefined: never. */
  readonly hedge?: HedgePolicy;
  /**
   * Batches of one query scored at once (each a Lookup, then a Predict); the rest wait their turn.
   * Undefined: all at once.
   */
  readonly maxBatchesInFlight?: number;
  /** Where Predict requests are written, reused once their calls have ended; undefined: fresh. */
  readonly predictBuffers?: BufferPool;
}

/**
 * How long a replica that lost a hedge is picked last: the time client keepalive takes to declare
 * a silent connection dead (after which its calls fail UNAVAILABLE and it is evicted).
 */
export const DEMOTE_MS = KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS;

/**
 * How often a call that was not hedged (its replica was busy answering others, or the budget was
 * spent) looks again, at the least: a replica that goes silent while the call waits is then
 * hedged within this, not at keepalive's 3 s. 50 ms keeps the timers of many waiting calls cheap.
 */
export const HEDGE_RECHECK_MS = 50;

type Attempt<Res> = (peer: Announcement, context: CallContext) => Promise<Res>;

/**
 * Calls one replica, least loaded first. Lookups and predictions are pure, so:
 * - a replica that answers UNAVAILABLE (process gone, connection refused, keepalive found the
 *   host silent) is evicted and the call goes to the next one;
 * - where the target has several replicas and the hedge policy allows, a call still unanswered
 *   after the target's hedge delay, by a replica that has answered no other call meanwhile (silent,
 *   not merely busy: a loaded mesh does not hedge itself into more load), is sent to a second
 *   replica as well; a call not hedged looks again every HEDGE_RECHECK_MS (or hedge delay) for a
 *   replica that has since gone silent. The first answer wins, the other attempt is cancelled,
 *   and a replica that lost despite its head start is demoted for DEMOTE_MS.
 * Any other failure, or no replica left, ends the call with an error naming who. `ended` runs once
 * the call is settled and every attempt has ended (grpc-js holds the request no more).
 */
function callReplica<Res>(
  deps: FanOutDeps,
  what: string,
  target: string,
  replicas: () => readonly Announcement[],
  call: Attempt<Res>,
  context: CallContext,
  ended?: () => void,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const tried = new Set<string>();
    /** Attempts in flight: peer id -> what cancels it, and when it started (Balancer clock). */
    const running = new Map<string, { controller: AbortController; startedAt: number }>();
    let settled = false;
    let lastError: unknown;
    const hedgeTimer: { timeout?: NodeJS.Timeout } = {};

    let endedCalled = false;
    const whenEnded = () => {
      if (!settled || running.size > 0 || endedCalled) return;
      endedCalled = true;
      ended?.();
    };
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(hedgeTimer.timeout);
      for (const { controller } of running.values()) controller.abort();
      outcome();
      whenEnded();
    };
    const noReplica = () =>
      unavailable(
        `${what} is unavailable: ${
          lastError === undefined
            ? 'no live replica'
            : `every replica failed, last: ${fromGrpcError(lastError, [...tried].at(-1) ?? '').message}`
        }`,
      );
    const finished = (peer: Announcement) => {
      running.delete(peer.id);
      deps.balancer.end(peer.id);
      whenEnded();
    };

    /** Starts an attempt on the best replica not tried yet; false when none is left. */
    const start = (): boolean => {
      const peer = deps.balancer.pick(replicas(), tried);
      if (peer === undefined) return false;
      tried.add(peer.id);
      deps.balancer.begin(peer.id);
      const controller = new AbortController();
      const startedAt = deps.balancer.now();
      running.set(peer.id, { controller, startedAt });
      const signal =
        context.signal === undefined
          ? controller.signal
          : AbortSignal.any([context.signal, controller.signal]);
      const started = performance.now();
      call(peer, { ...context, signal }).then(
        (response) => {
          finished(peer);
          if (settled) return;
          deps.hedge?.record(target, performance.now() - started);
          deps.balancer.answered(peer.id);
          for (const [loser, attempt] of running)
            if (attempt.startedAt <= startedAt) deps.balancer.demote(loser, DEMOTE_MS);
          settle(() => resolve(response));
        },
        (err: unknown) => {
          finished(peer);
          if (settled) return;
          const code = (err as { code?: unknown }).code;
          if (code === GrpcCode.UNAVAILABLE && context.signal?.aborted !== true) {
            deps.router.evict(peer.id);
            lastError = err;
            // A hedge still in flight may yet answer; otherwise go on to the next replica.
            if (running.size === 0 && !start()) settle(() => reject(noReplica()));
            return;
          }
          if (code === GrpcCode.CANCELLED)
            settle(() =>
              reject(new RecmeshError('cancelled', `${what}: cancelled`, { cause: err })),
            );
          else settle(() => reject(fromGrpcError(err, `${what} (${peer.id} at ${peer.address})`)));
        },
      );
      return true;
    };

    if (!start()) {
      reject(noReplica());
      return;
    }
    const hedge = deps.hedge;
    if (hedge === undefined || !hedge.enabled) return;
    hedge.onAttempt();
    if (replicas().length < 2) return;
    const deadline = context.deadline === undefined ? Infinity : Number(context.deadline);
    const delay = hedge.delayMs(target);
    const recheck = Math.max(delay, HEDGE_RECHECK_MS);
    /** Hedges if every attempt's replica has answered nothing since `since`; else looks again. */
    const check = (since: number) => {
      if (settled || Date.now() >= deadline) return;
      const silent = [...running.keys()].every((id) => !deps.balancer.answeredSince(id, since));
      const spare = replicas().some((r) => !tried.has(r.id));
      if (!spare) return;
      if (silent && hedge.tryHedge()) start();
      else checkIn(recheck);
    };
    /**
     * Checks in `ms` whether the replicas answered anything since now. The check runs after the
     * I/O of the loop turn its timer fires in (setImmediate): a timer that fires late because this
     * process stalled (a long parse, a GC pause) would otherwise run before the answers that came
     * in meanwhile are read, and hedge a replica for this process's own silence. Answers count
     * from when they are read, so those still count.
     */
    const checkIn = (ms: number) => {
      const since = deps.balancer.now();
      hedgeTimer.timeout = setTimeout(() => setImmediate(() => check(since)), ms);
    };
    checkIn(delay);
  });
}

export function lookup(
  deps: FanOutDeps,
  group: string,
  request: LookupRequest,
  context: CallContext,
  ended?: () => void,
): Promise<LookupResponse> {
  return callReplica(
    deps,
    `embedding shard group ${group}`,
    `group:${group}`,
    () => deps.router.replicas(group, request.model, request.version),
    (peer, attempt) => {
      const client = deps.clients.embeddingClient(peer.address);
      return unaryCall(client.lookup.bind(client), request, attempt);
    },
    context,
    ended,
  );
}

export function predict(
  deps: FanOutDeps,
  request: PredictRequest,
  context: CallContext,
  pool: 'cpu' | 'accel' = 'cpu',
  ended?: () => void,
): Promise<PredictResponse> {
  return callReplica(
    deps,
    `dense worker pool ${pool} of ${request.model} version ${request.version}`,
    `workers:${pool}:${request.model}`,
    () => {
      const workers = deps.router.workers(request.model, request.version, pool);
      // A request with lookups goes only to workers that pool them.
      return request.lookups.length === 0
        ? workers
        : workers.filter((w) => workerHoldsTables(w, request.model, request.version));
    },
    (peer, attempt) => {
      const client = deps.clients.denseClient(peer.address);
      return unaryCall(client.predict.bind(client), request, attempt);
    },
    context,
    ended,
  );
}
