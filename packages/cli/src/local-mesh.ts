import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { connectBus, deleteUsageStream } from '@recmesh/bus';
import { deleteGridStream } from '@recmesh/carbon-io';
import { RecmeshError } from '@recmesh/errors';
import type { Dtype } from '@recmesh/backend';
import { newestVersions, servedPresets } from '@recmesh/model-repository';
import { planShards, readPlanFile, type ShardingPlan } from '@recmesh/models';
import { ensureNats } from './nats-server';

export interface LocalMeshOptions {
  readonly models: string;
  readonly rowScale: number;
  readonly seed: number;
  /** Embedding shard groups (tables spread over them by the sharding planner). */
  readonly shards: number;
  /** Table bytes one shard may hold; tables too big for one are split row-wise (default: no limit). */
  readonly budgetBytes?: number;
  /** Shard processes per group (default 1). */
  readonly replicas?: number;
  /** Element type shards hold tables in (default fp32). */
  readonly tableDtype?: Dtype;
  /** A plan file to use as it is, instead of planning (shards, budgetBytes, replicas, tableDtype unused). */
  readonly plan?: string;
  /** Load tables from files in <tablesDir>/<model>/ (RECMESH_TABLES_DIR) instead of generating them. */
  readonly tablesDir?: string;
  /**
   * A model repository (RECMESH_MODEL_REPOSITORY): every model in it is served beside the presets
   * in `models` (which may then be empty); the plan places its newest versions' tables.
   */
  readonly modelRepository?: string;
  readonly workers: number;
  /** Dense workers of the accelerator pool (RECMESH_WORKER_POOL=accel); default 0. */
  readonly accelWorkers?: number;
  /** Scheduling policy of the orchestrator (its RECMESH_SCHEDULER); default: the orchestrator's. */
  readonly scheduler?: 'static' | 'deeprecsched';
  /** Extra environment for the orchestrator only. */
  readonly orchestratorEnv?: Readonly<Record<string, string>>;
  /** Orchestrator port; 0 picks a free one. */
  readonly port: number;
  readonly natsUrl: string;
  readonly mesh: string;
  readonly batchSize: number;
  readonly logDir: string;
  /** Extra environment for every service. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Node and V8 flags every service process starts with (default: nodeFlagsFor(), from
   * RECMESH_NODE_FLAGS or the machine's core count).
   */
  readonly nodeFlags?: readonly string[];
  readonly readyTimeoutMs?: number;
  /**
   * On stop, delete the mesh's usage and grid streams from NATS (for throw-away meshes: demo,
   * tests); the carbon books stay in their SQLite file.
   */
  readonly deleteStreamOnStop?: boolean;
  readonly log?: (line: string) => void;
}

export interface MeshService {
  readonly name: string;
  readonly role: string;
  readonly address: string;
  readonly metricsPort: number;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
}

export interface LocalMesh {
  readonly orchestrator: string;
  readonly natsUrl: string;
  readonly startedNats: boolean;
  readonly planFile: string;
  /** The carbon ledger's SQLite books. */
  readonly ledgerDb: string;
  readonly services: readonly MeshService[];
  stop(): Promise<void>;
}

const ENTRY: Record<string, string> = {
  'carbon-ledger': '@recmesh/carbon-ledger/dist/main.js',
  'embedding-shard': '@recmesh/embedding-shard/dist/main.js',
  'dense-worker': '@recmesh/dense-worker/dist/main.js',
  orchestrator: '@recmesh/orchestrator/dist/main.js',
};

/**
 * The garbage collector settings of a mesh whose services share a few cores (at most
 * SHARED_CORES): one thread per collection instead of V8's helper threads, which on such a
 * machine wait for cores the services need (a collection's pause grows by the time its helpers
 * wait), and a 256 MB first old-generation limit, which halves the full collections of the
 * services' small heaps. Measured with `recmesh bench pipeline` on 2 cores (docs/pipelines.md):
 * RM-large on 4096 candidates p50 184 -> 105-122 ms, the two-stage pipeline 62 -> 50 ms.
 */
export const SHARED_CORE_NODE_FLAGS: readonly string[] = [
  '--single-threaded-gc',
  '--initial-old-space-size=256',
];

/** Up to this many cores, a local mesh's services run with SHARED_CORE_NODE_FLAGS by default. */
export const SHARED_CORES = 4;

/**
 * The Node/V8 flags of a local mesh's services: RECMESH_NODE_FLAGS when set (space-separated,
 * each starting with `--`; empty: none), else SHARED_CORE_NODE_FLAGS on a machine of at most
 * SHARED_CORES cores, else none (V8's defaults).
 */
export function nodeFlagsFor(
  env: NodeJS.ProcessEnv = process.env,
  cores: number = availableParallelism(),
): string[] {
  const raw = env.RECMESH_NODE_FLAGS;
  if (raw === undefined) return cores <= SHARED_CORES ? [...SHARED_CORE_NODE_FLAGS] : [];
  const flags = raw.split(/\s+/).filter((f) => f !== '');
  const bad = flags.find((f) => !/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(f));
  if (bad !== undefined)
    throw new RecmeshError(
      'invalid_argument',
      `RECMESH_NODE_FLAGS: ${JSON.stringify(bad)} is not a node flag (--name or --name=value, space-separated)`,
      { field: 'RECMESH_NODE_FLAGS', value: raw },
    );
  return flags;
}

/** Starts one service process and resolves when it logs `ready` (with its address). */
function startService(
  name: string,
  role: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
  timeoutMs: number,
  nodeFlags: readonly string[],
): Promise<MeshService> {
  const logFile = join(logDir, `${name}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [...nodeFlags, require.resolve(ENTRY[role] as string)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(out, { end: false });
  const tail: string[] = [];
  return new Promise<MeshService>((resolveService, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new RecmeshError(
          'unavailable',
          `${name} was not ready within ${timeoutMs} ms; see ${logFile}`,
        ),
      );
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(
        new RecmeshError(
          'unavailable',
          `${name} exited (code ${code}) before it was ready: ${tail.slice(-3).join(' | ')} (log: ${logFile})`,
        ),
      );
    };
    child.once('exit', onExit);
    child.stderr?.on('data', (d: Buffer) => tail.push(d.toString().trim()));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      out.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 20) tail.shift();
      let record: { msg?: string; address?: string; metricsPort?: number } | undefined;
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      if (record?.msg === 'ready' && typeof record.address === 'string') {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolveService({
          name,
          role,
          address: record.address,
          metricsPort: record.metricsPort ?? 0,
          pid: child.pid ?? 0,
          logFile,
          child,
        });
      }
    });
  });
}

async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/**
 * The whole mesh on loopback: a NATS server if none answers, the carbon ledger, the embedding
 * shards of a sharding plan (`shards` groups within `budgetBytes` each, `replicas` processes per
 * group; or the plan file given), `workers` dense workers and the orchestrator, each its own
 * process, logs in `logDir`.
 */
export async function startLocalMesh(options: LocalMeshOptions): Promise<LocalMesh> {
  const log = options.log ?? (() => undefined);
  const logDir = resolve(options.logDir);
  mkdirSync(logDir, { recursive: true });
  const repository =
    options.modelRepository === undefined ? undefined : resolve(options.modelRepository);
  const models = [
    ...servedPresets(options.models, repository, {
      rowScale: options.rowScale,
      seed: options.seed,
    }),
    ...(repository === undefined ? [] : newestVersions(repository)),
  ];
  if (models.length === 0)
    throw new RecmeshError(
      'invalid_argument',
      `no model to serve: --models is empty${repository === undefined ? '' : ` and ${repository} holds no readable model`}`,
    );
  let plan: ShardingPlan;
  let planFile: string;
  if (options.plan !== undefined) {
    planFile = resolve(options.plan);
    plan = readPlanFile(planFile, models, '--plan');
  } else {
    plan = planShards(models, {
      groups: options.shards,
      replicas: options.replicas ?? 1,
      ...(options.tableDtype === undefined ? {} : { dtype: options.tableDtype }),
      ...(options.budgetBytes === undefined ? {} : { budgetBytes: options.budgetBytes }),
    });
    planFile = join(logDir, 'plan.json');
    writeFileSync(planFile, `${JSON.stringify(plan, null, 2)}\n`);
  }
  const nats = await ensureNats(options.natsUrl, log);
  // The books persist under the log folder, one file per mesh.
  const ledgerDb = join(logDir, `ledger-${options.mesh}.sqlite`);
  const timeoutMs = options.readyTimeoutMs ?? 300_000;
  const nodeFlags = options.nodeFlags ?? nodeFlagsFor();
  if (nodeFlags.length > 0) log(`services run with ${nodeFlags.join(' ')}`);

  const base: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    NATS_URL: nats.url,
    RECMESH_MESH: options.mesh,
    RECMESH_MODELS: options.models,
    RECMESH_ROW_SCALE: String(options.rowScale),
    RECMESH_SEED: String(options.seed),
    RECMESH_HOST: '127.0.0.1',
    RECMESH_PORT: '0',
    RECMESH_METRICS_PORT: '0',
    ...(options.tablesDir === undefined ? {} : { RECMESH_TABLES_DIR: resolve(options.tablesDir) }),
    ...(repository === undefined ? {} : { RECMESH_MODEL_REPOSITORY: repository }),
  };
  const services: MeshService[] = [];
  const stop = async () => {
    // Front door first, so no new query starts while the back ends go away.
    for (const s of [...services].reverse()) await stopChild(s.child, 15_000);
    if (options.deleteStreamOnStop === true) {
      const nc = await connectBus({ servers: nats.url, name: 'recmesh-cleanup' });
      await deleteUsageStream(nc, options.mesh);
      await deleteGridStream(nc, options.mesh);
      await nc.close();
    }
    if (nats.child !== undefined) await stopChild(nats.child, 5_000);
  };
  try {
    services.push(
      await startService(
        'carbon-ledger',
        'carbon-ledger',
        { ...base, RECMESH_LEDGER_DB: ledgerDb },
        logDir,
        timeoutMs,
        nodeFlags,
      ),
    );
    log(`carbon-ledger ready at ${services[0]?.address}`);
    const settled = await Promise.allSettled([
      ...plan.groups.flatMap((g) =>
        Array.from({ length: g.replicas }, (_, r) =>
          startService(
            g.replicas === 1 ? g.id : `${g.id}-r${r}`,
            'embedding-shard',
            { ...base, RECMESH_PLAN: planFile, RECMESH_SHARD_GROUP: g.id },
            logDir,
            timeoutMs,
            nodeFlags,
          ),
        ),
      ),
      ...Array.from({ length: options.workers }, (_, i) =>
        startService(`dense-worker-${i}`, 'dense-worker', base, logDir, timeoutMs, nodeFlags),
      ),
      ...Array.from({ length: options.accelWorkers ?? 0 }, (_, i) =>
        startService(
          `accel-worker-${i}`,
          'dense-worker',
          { ...base, RECMESH_WORKER_POOL: 'accel' },
          logDir,
          timeoutMs,
          nodeFlags,
        ),
      ),
    ]);
    const backends = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    services.push(...backends);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    for (const s of backends) log(`${s.name} ready at ${s.address}`);
    services.push(
      await startService(
        'orchestrator',
        'orchestrator',
        {
          ...base,
          ...options.orchestratorEnv,
          RECMESH_PORT: String(options.port),
          RECMESH_BATCH_SIZE: String(options.batchSize),
          ...(options.scheduler === undefined ? {} : { RECMESH_SCHEDULER: options.scheduler }),
        },
        logDir,
        timeoutMs,
        nodeFlags,
      ),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const orchestrator = services.at(-1) as MeshService;
  return {
    orchestrator: orchestrator.address,
    natsUrl: nats.url,
    startedNats: nats.child !== undefined,
    planFile,
    ledgerDb,
    services,
    stop,
  };
}
