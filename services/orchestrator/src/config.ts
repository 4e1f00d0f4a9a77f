import { siteSpec } from '@recmesh/carbon-io';
import { commaList, env, modelsSpec, z } from '@recmesh/config';

const addresses = commaList().pipe(
  z.array(z.string().regex(/^[^\s:]+:\d+$/, 'each address must be host:port')),
);

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
  ...siteSpec,
};
