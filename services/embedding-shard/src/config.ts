import { env, modelsSpec, z } from '@recmesh/config';

/**
 * The embedding shard's own variables (common ones: @recmesh/config commonSpec).
 *
 * Where a shard's rows come from:
 * - RECMESH_TABLES_DIR unset: generated deterministically from RECMESH_SEED (demos, tests);
 * - RECMESH_TABLES_DIR set: read from files, per served model, in
 *     <dir>/<model>/table_<t>.npy           (one NumPy array per table), or
 *     <dir>/<model>/*.safetensors           (tensors named table_<t> or emb_l.<t>.weight),
 *   where <model> is the served name (rmc2-dot) or its preset (rmc2). Every file must hold
 *   [rows, dim] of the model at RECMESH_ROW_SCALE: float32 (<f4 / F32), float16 (<f2 / F16) or
 *   FBGEMM fused int8 rows (|u1 / U8, [rows, dim + 8]). Only this shard's row ranges are read,
 *   in chunks, into memory outside the JS heap; progress is logged. A missing, truncated,
 *   corrupt or mis-shaped file stops the shard before it announces itself ready, with an error
 *   naming the file and what is wrong.
 * Element type held: RECMESH_TABLE_DTYPE, else the plan's `dtype`, else the files' own (fp32 for
 * generated rows); float sources are converted (fp16, or int8 quantised row-wise) as they load.
 */
export const shardSpec = {
  ...modelsSpec,
  backend: env(
    'RECMESH_BACKEND',
    z.string().default('cpu'),
    'embedding backend plugin: cpu, nmp or cuda',
  ),
  backendConfig: env(
    'RECMESH_BACKEND_CONFIG',
    z.string().optional(),
    'backend parameters: a JSON object, or @ and the path of a JSON file (nmp: hardware model and pacing, docs/nmp-calibration.md)',
  ),
  plan: env(
    'RECMESH_PLAN',
    z.string().optional(),
    'path of the sharding plan (JSON); unset: this shard holds every table of its models',
  ),
  group: env(
    'RECMESH_SHARD_GROUP',
    z.string().optional(),
    'the plan group this shard serves (needed with RECMESH_PLAN)',
  ),
  tablesDir: env(
    'RECMESH_TABLES_DIR',
    z.string().optional(),
    'folder of table files (<dir>/<model>/table_<t>.npy or *.safetensors); unset: generated rows',
  ),
  tableDtype: env(
    'RECMESH_TABLE_DTYPE',
    z.enum(['fp32', 'fp16', 'int8']).optional(),
    "element type to hold tables in (fp32, fp16, int8); default: the plan's, else the source's",
  ),
};
