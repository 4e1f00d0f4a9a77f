import { env, modelsSpec, z } from '@recmesh/config';

/** The dense worker's own variables (common ones: @recmesh/config commonSpec). */
export const workerSpec = {
  ...modelsSpec,
  backend: env(
    'RECMESH_BACKEND',
    z.string().default('cpu'),
    'dense backend plugin: cpu, nmp (the dense graph stays on the host CPU) or cuda',
  ),
  backendConfig: env(
    'RECMESH_BACKEND_CONFIG',
    z.string().optional(),
    'backend parameters: a JSON object, or @ and the path of a JSON file (cuda: device, lanes, dense engine; docs/cuda.md)',
  ),
  intraOpThreads: env(
    'RECMESH_INTRA_OP_THREADS',
    z.coerce.number().int().min(1).default(1),
    'threads of one graph run; 1 lets several workers share the cores without contention',
  ),
  pool: env(
    'RECMESH_WORKER_POOL',
    z.enum(['cpu', 'accel']).optional(),
    'worker pool: accel workers take the large queries DeepRecSched offloads (default: accel for the cuda backend, else cpu)',
  ),
  tablesMaxMb: env(
    'RECMESH_WORKER_TABLES_MAX_MB',
    z.coerce.number().min(0).default(0),
    "hold every embedding table of a model version whose tables take at most this many MiB as float32, and pool the lookups a Predict carries (small tables replicated on every worker, TorchRec's data-parallel sharding: queries skip the shards' round trip); 0: never",
  ),
  maxBatch: env(
    'RECMESH_MAX_BATCH',
    z.coerce.number().int().min(1).default(4096),
    'largest batch a Predict call may carry',
  ),
};
