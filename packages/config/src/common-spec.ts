import { z } from 'zod';
import { env, type ConfigOf } from './env-config';

const port = z.coerce.number().int().min(0).max(65535);

/** A comma-separated list ("a, b,c"), trimmed, empty items dropped; unset = []. */
export function commaList() {
  return z
    .string()
    .optional()
    .transform((s) =>
      s === undefined
        ? []
        : s
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== ''),
    );
}
const positive = z.coerce.number().positive();

/** Variables every recmesh service reads. */
export const commonSpec = {
  mesh: env(
    'RECMESH_MESH',
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('default'),
    'mesh name: prefixes every NATS subject and stream, so meshes can share one NATS server',
  ),
  natsUrl: env(
    'NATS_URL',
    z.string().default('nats://127.0.0.1:4222'),
    'NATS server URL(s), comma-separated',
  ),
  natsUser: env(
    'NATS_USER',
    z.string().optional(),
    'NATS user name, where the server asks for one',
  ),
  natsPassword: env('NATS_PASSWORD', z.string().optional(), 'NATS password (from a Secret)'),
  natsToken: env('NATS_TOKEN', z.string().optional(), 'NATS token (from a Secret)'),
  natsCreds: env(
    'NATS_CREDS',
    z.string().optional(),
    'path of a NATS .creds file (JWT and nkey seed)',
  ),
  streamReplicas: env(
    'RECMESH_STREAM_REPLICAS',
    z.coerce.number().int().min(1).max(5).default(1),
    'copies JetStream keeps of the usage stream (3 on a 3-node NATS cluster)',
  ),
  host: env('RECMESH_HOST', z.string().default('127.0.0.1'), 'address the gRPC server binds'),
  advertiseHost: env(
    'RECMESH_ADVERTISE_HOST',
    z.string().optional(),
    'host name that peers use to reach this service (default: RECMESH_HOST)',
  ),
  port: env('RECMESH_PORT', port.default(0), 'gRPC port; 0 picks a free one'),
  metricsPort: env(
    'RECMESH_METRICS_PORT',
    port.default(0),
    'Prometheus /metrics port; 0 picks a free one',
  ),
  instanceId: env(
    'RECMESH_INSTANCE_ID',
    z.string().optional(),
    'instance id (default: role-host-pid)',
  ),
  logLevel: env(
    'RECMESH_LOG_LEVEL',
    z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    'log level',
  ),
  heartbeatMs: env(
    'RECMESH_HEARTBEAT_MS',
    positive.default(1000),
    'interval of announcements on NATS, ms; peers drop a service after 3 missed',
  ),
  drainMs: env(
    'RECMESH_DRAIN_MS',
    positive.default(10_000),
    'on SIGTERM, how long in-flight calls may take to finish before they are cut, ms',
  ),
  hardwareProfile: env(
    'RECMESH_HARDWARE_PROFILE',
    z.string().default('dell-r740'),
    'hardware profile this service runs on (a profile name: shipped ones or RECMESH_PROFILES_DIR); its power model and embodied carbon cost the usage',
  ),
  profilesDir: env(
    'RECMESH_PROFILES_DIR',
    commaList(),
    'folders of hardware profiles (YAML/JSON), comma-separated, overriding the shipped ones by name',
  ),
  energy: env(
    'RECMESH_ENERGY',
    z.enum(['auto', 'rapl', 'nvidia-smi', 'model']).default('auto'),
    'energy meter: auto (RAPL, or nvidia-smi for cuda services, else the model), rapl, nvidia-smi, or model',
  ),
  otlpEndpoint: env(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    z.string().url().optional(),
    'OTLP/HTTP endpoint for traces (e.g. http://collector:4318); unset = traces are not exported',
  ),
};

/** Variables of services that hold or serve models. */
export const modelsSpec = {
  models: env(
    'RECMESH_MODELS',
    z.string().optional(),
    'comma-separated built-in models to serve: rmc1, rmc2, rmc3, ncf, wnd, mtwnd, din, dien, rm-small, rm-med, rm-large; DLRM ones take a -cat, -dot or -dot-self suffix (unset: rmc1,rmc2,rmc3 without RECMESH_MODEL_REPOSITORY, none with it)',
  ),
  rowScale: env(
    'RECMESH_ROW_SCALE',
    z.coerce.number().positive().max(1).default(0.01),
    "fraction of each preset table's rows to allocate (1 = full size; RMC1 at 1 is 4 GB of float32)",
  ),
  seed: env(
    'RECMESH_SEED',
    z.coerce.number().int().min(0).default(1),
    'seed of the deterministic weights',
  ),
  modelRepository: env(
    'RECMESH_MODEL_REPOSITORY',
    z.string().optional(),
    'model repository folder (<dir>/<model>/<version>/manifest.json, docs/model-repository.md): every model in it is served at its newest valid version; `recmesh models reload` rescans it',
  ),
  versionGraceMs: env(
    'RECMESH_VERSION_GRACE_MS',
    positive.default(5000),
    'a superseded model version is released this long after it was last needed (a call in flight on it, an orchestrator listing it), ms',
  ),
};

export type CommonConfig = ConfigOf<typeof commonSpec>;
