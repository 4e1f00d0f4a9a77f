import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { RankingClient, SchedulerClient, type PlainQuery } from '@recmesh/client';
import { invalidArgument, RecmeshError } from '@recmesh/errors';
import type { RankResponse } from '@recmesh/proto';
import {
  DATASET_FILE,
  plainQueryOf,
  prepareRepository,
  readPrepared,
  type DatasetRecord,
  type RankingQuery,
  type World,
} from '@recmesh/recpipe';
import { startLocalMesh, type LocalMesh } from './local-mesh';
import { num } from './mesh-options';
import { info } from './output';

/** Flags every RecPipe command shares. */
export interface RecpipeFlags {
  modelRepository: string;
  natsUrl: string;
  batchSize: number;
  /** Per-model batch sizes over batchSize (the static scheduler of each named model). */
  modelBatchSize: ReadonlyMap<string, number>;
  shards: number;
  workers: number;
  accelWorkers: number;
  /** Dense workers hold the tables of models this small and pool the lookups themselves; 0: never. */
  workerTablesMb: number;
  logDir?: string;
  seed: number;
}

export interface RecpipeMesh {
  readonly client: RankingClient;
  readonly world: World;
  readonly record: DatasetRecord;
  readonly mesh: LocalMesh;
  /** The Rank query of `q` for `model` (a model or a pipeline). */
  plainQuery(model: string, q: RankingQuery, topK: number): PlainQuery;
  rank(model: string, q: RankingQuery, topK: number): Promise<RankResponse>;
  stop(): Promise<void>;
}

/**
 * A prepared repository (prepared now, with the default settings and --seed, when the folder has
 * no recpipe-data.json and no models), and a local mesh serving it: the static scheduler at a
 * fixed batch size, so that every configuration is measured with the same batching.
 */
export async function startRecpipeMesh(opts: RecpipeFlags, purpose: string): Promise<RecpipeMesh> {
  const repository = resolve(opts.modelRepository);
  if (!existsSync(join(repository, DATASET_FILE))) {
    if (
      existsSync(repository) &&
      !existsSync(join(repository, DATASET_FILE)) &&
      existsSync(join(repository, 'rm-large'))
    )
      throw new RecmeshError(
        'failed_precondition',
        `${repository} has models but no ${DATASET_FILE}: run \`recmesh pipeline prepare --repository ${opts.modelRepository}\``,
      );
    info(
      `${purpose}: ${repository} is not prepared; preparing it (recmesh pipeline prepare, a few minutes)`,
    );
    await prepareRepository(repository, { data: { seed: opts.seed } }, info);
  }
  const { world, record } = readPrepared(repository);
  info(`${purpose}: starting a mesh on ${repository}`);
  const mesh = await startLocalMesh({
    models: '',
    modelRepository: repository,
    rowScale: 1,
    seed: 1,
    shards: opts.shards,
    workers: opts.workers,
    accelWorkers: opts.accelWorkers,
    port: 0,
    natsUrl: opts.natsUrl,
    mesh: `recpipe-${process.pid}`,
    batchSize: opts.batchSize,
    logDir: opts.logDir ?? mkdtempSync(join(tmpdir(), 'recmesh-recpipe-')),
    scheduler: 'static',
    // A measurement waits out a busy machine rather than failing at the default 5 s.
    orchestratorEnv: { RECMESH_DEFAULT_DEADLINE_MS: '30000' },
    env: { RECMESH_WORKER_TABLES_MAX_MB: String(opts.workerTablesMb) },
    deleteStreamOnStop: true,
    log: () => undefined,
  });
  const client = new RankingClient(mesh.orchestrator);
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      const list = await client.listModels();
      if (list.models.length > 0 && list.models.every((m) => m.ready)) break;
      if (Date.now() > until)
        throw new RecmeshError(
          'unavailable',
          `the mesh on ${repository} was not ready within 60 s`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    await configureBatchSizes(mesh.orchestrator, opts.modelBatchSize, repository);
  } catch (err) {
    client.close();
    await mesh.stop();
    throw err;
  }
  return {
    client,
    world,
    record,
    mesh,
    plainQuery: (model, q, topK) => plainQueryOf(world, q, model, topK),
    rank: (model, q, topK) =>
      client.rank(plainQueryOf(world, q, model, topK), { timeoutMs: 30_000 }),
    async stop() {
      client.close();
      await mesh.stop();
    },
  };
}

/**
 * The static batch size of each model named in `sizes` (the others keep --batch-size): a filter
 * model scoring thousands of candidates and a heavy model scoring a few hundred are each best at
 * their own. A model the repository does not serve is an error naming the flag.
 */
async function configureBatchSizes(
  orchestrator: string,
  sizes: ReadonlyMap<string, number>,
  repository: string,
): Promise<void> {
  if (sizes.size === 0) return;
  const scheduler = new SchedulerClient(orchestrator);
  try {
    const served = (await scheduler.getState()).models.map((m) => m.model);
    for (const [model, batchSize] of sizes) {
      if (!served.includes(model))
        throw invalidArgument(
          '--model-batch-size',
          `${model}=${batchSize}`,
          `${model} is not a model of ${repository}; it has ${served.join(', ')}`,
        );
      await scheduler.configure({ model, batchSize });
    }
  } finally {
    scheduler.close();
  }
}

/** Parses `model=n,model=n` (an empty string: none). */
export function parseModelBatchSizes(raw: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const entry of raw.split(',').filter((e) => e.trim() !== '')) {
    const [model, value, extra] = entry.split('=').map((p) => p.trim());
    const n = Number(value);
    if (model === undefined || model === '' || extra !== undefined || !Number.isInteger(n) || n < 1)
      throw invalidArgument(
        '--model-batch-size',
        entry,
        'each entry is model=n with n an integer >= 1 (for example rm-small=4096)',
      );
    sizes.set(model, n);
  }
  return sizes;
}

/** The flags of startRecpipeMesh, on `command`. */
export function addRecpipeFlags(command: Command): Command {
  const int = (flag: string, min = 1) => num(flag, { int: true, min });
  return command
    .option(
      '--model-repository <dir>',
      'a repository made by `recmesh pipeline prepare` (prepared now when the folder is not)',
      '.recmesh/recpipe',
    )
    .addOption(
      new Option('--seed <n>', 'data set seed, when the repository is prepared now')
        .default(1)
        .argParser(int('--seed', 0)),
    )
    .addOption(
      new Option(
        '--batch-size <n>',
        'items per batch of every stage (static scheduler; 1024 measured best for RM-large at 4096 candidates, against 256 and 4096)',
      )
        .default(1024)
        .argParser(int('--batch-size')),
    )
    .addOption(
      new Option(
        '--model-batch-size <list>',
        "per-model batch sizes over --batch-size, model=n comma-separated ('': none; RM-small is fastest at 4096 candidates in one batch: stage latency 16.7 ms against 19.0 at 2048 and 23.6 at 1024)",
      )
        .default(parseModelBatchSizes('rm-small=4096'), 'rm-small=4096')
        .argParser(parseModelBatchSizes),
    )
    .addOption(
      new Option('--shards <n>', 'embedding shard groups').default(1).argParser(int('--shards')),
    )
    .addOption(
      new Option('--workers <n>', 'dense workers (cpu pool)')
        .default(1)
        .argParser(int('--workers')),
    )
    .addOption(
      new Option(
        '--accel-workers <n>',
        "dense workers of the accelerator pool (stages with backend 'accel')",
      )
        .default(0)
        .argParser(int('--accel-workers', 0)),
    )
    .addOption(
      new Option(
        '--worker-tables-mb <n>',
        "dense workers hold every table of a model whose tables take at most n MiB (RecPipe's: 0.1-1.1 MiB) and pool a query's rows themselves, without the shards' round trip (RECMESH_WORKER_TABLES_MAX_MB); 0: every query through the shards",
      )
        .default(64)
        .argParser(int('--worker-tables-mb', 0)),
    )
    .addOption(
      new Option('--nats-url <url>', 'NATS server (started locally if none answers)')
        .env('NATS_URL')
        .default('nats://127.0.0.1:4222'),
    )
    .option('--log-dir <dir>', 'where the mesh writes its logs (default: a temporary folder)');
}
