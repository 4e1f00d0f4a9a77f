import { env, modelsSpec, z } from '@recmesh/config';

const addresses = z
  .string()
  .optional()
  .transform((s) =>
    s === undefined
      ? []
      : s
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a.length > 0),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'each address must be host:port')));

/** The orchestrator's own variables (common ones: @recmesh/config commonSpec). */
export const orchestratorSpec = {
  ...modelsSpec,
  batchSize: env(
    'RECMESH_BATCH_SIZE',
    z.coerce.number().int().min(1).max(4096).default(25),
    "items per batch (static policy; 25 is DeepRecSys' baseline)",
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
  region: env(
    'RECMESH_REGION',
    z.string().default('usa'),
    'grid region of the receipts (ACT grid table key)',
  ),
  gridGPerKwh: env(
    'RECMESH_GRID_G_PER_KWH',
    z.coerce.number().nonnegative().optional(),
    "grid intensity of the receipts, gCO2e/kWh (default: the region's ACT figure)",
  ),
  pue: env(
    'RECMESH_PUE',
    z.coerce.number().min(1).default(1.1),
    'power usage effectiveness of the site',
  ),
};
