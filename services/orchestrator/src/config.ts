import { commaList, env, modelsSpec, siteSpec, z } from '@recmesh/config';

const addresses = commaList().pipe(
  z.array(z.string().regex(/^[^\s:]+:\d+$/, 'each address must be host:port')),
);

/** The orchestrator's own variables (common ones: @recmesh/config commonSpec). */
export const orchestratorSpec = {
  ...modelsSpec,
  scheduler: env(
    'RECMESH_SCHEDULER',
    z.enum(['static', 'deeprecsched']).default('deeprecsched'),
    'query scheduling policy: static (fixed batch size) or deeprecsched (batch size and offload threshold tuned online)',
  ),
  batchSize: env(
    'RECMESH_BATCH_SIZE',
    z.coerce.number().int().min(1).max(4096).default(25),
    "items per batch under the static policy, and where DeepRecSched starts its climb (25: DeepRecSys' baseline)",
  ),
  offloadThreshold: env(
    'RECMESH_OFFLOAD_THRESHOLD',
    z.coerce.number().int().min(1).optional(),
    'queries of at least this many items go whole to the accelerator pool (unset: none until tuned)',
  ),
  targetP95Ms: env(
    'RECMESH_TARGET_P95_MS',
    z.coerce.number().positive().optional(),
    "p95 latency target the scheduler tunes for (default: each model's medium target)",
  ),
  windowQueries: env(
    'RECMESH_SCHED_WINDOW',
    z.coerce.number().int().min(8).default(64),
    'completed queries per scheduler measurement window (DeepRecSched checks every 64)',
  ),
  minWindowMs: env(
    'RECMESH_SCHED_WINDOW_MS',
    z.coerce.number().int().min(0).default(2000),
    'shortest scheduler measurement window, ms (a window closes with enough queries and time both)',
  ),
  maxInFlightItems: env(
    'RECMESH_MAX_INFLIGHT_ITEMS',
    z.coerce.number().int().min(0).default(200_000),
    'items in flight beyond which queries are shed with RESOURCE_EXHAUSTED (0: no cap; deadline-based shedding stays on)',
  ),
  maxBatchesInFlight: env(
    'RECMESH_MAX_BATCHES_IN_FLIGHT',
    z.coerce.number().int().min(1).default(64),
    'batches of one query scored at once (each a Lookup, then a Predict); the others wait their turn, so that a cancelled query stops sending at once and one large query does not queue all its tensors on the shards and workers',
  ),
  maxItems: env(
    'RECMESH_MAX_ITEMS',
    z.coerce.number().int().min(1).default(8192),
    'largest query (candidate items) accepted',
  ),
  deadlineMs: env(
    'RECMESH_DEFAULT_DEADLINE_MS',
    z.coerce.number().positive().default(5000),
    'deadline of a Rank call whose caller set none (or a later one), ms',
  ),
  shards: env(
    'RECMESH_SHARDS',
    addresses,
    'static embedding shard addresses (host:port,...), beside those discovered on NATS',
  ),
  workers: env(
    'RECMESH_WORKERS',
    addresses,
    'static dense worker addresses (host:port,...), beside those discovered on NATS',
  ),
  hedgeBudget: env(
    'RECMESH_HEDGE_BUDGET',
    z.coerce.number().min(0).max(1).default(0.1),
    'hedged sub-calls allowed per sub-call, on average (0.1: gRPC retry throttling ratio; 0 turns hedging off): a lookup or prediction unanswered after its target p95 latency is also sent to another replica',
  ),
  hedgeMinMs: env(
    'RECMESH_HEDGE_MIN_MS',
    z.coerce.number().nonnegative().default(10),
    'shortest hedge delay, ms (10: below it a second copy buys little but load)',
  ),
  ...siteSpec,
};
