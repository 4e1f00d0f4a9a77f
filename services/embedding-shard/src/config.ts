import { env, modelsSpec, z } from '@recmesh/config';

/** The embedding shard's own variables (common ones: @recmesh/config commonSpec). */
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
};
