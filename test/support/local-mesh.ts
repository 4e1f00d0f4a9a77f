import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalMesh, type LocalMesh, type LocalMeshOptions } from '@recmesh/cli';
import { RankingClient } from '@recmesh/client';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * The two ways a query's rows are pooled: by the embedding shards, or by dense workers that hold
 * the tables (RECMESH_WORKER_TABLES_MAX_MB). Parity suites run both.
 */
export const POOLING_PATHS = [
  { name: 'pooled by the shards', workerTables: false, env: {} },
  {
    name: 'pooled by the dense workers',
    workerTables: true,
    env: { RECMESH_WORKER_TABLES_MAX_MB: '64' },
  },
] as const;

export interface TestMesh {
  readonly mesh: LocalMesh;
  readonly client: RankingClient;
  readonly name: string;
  stop(): Promise<void>;
}

/** A mesh of its own (unique NATS prefix, temporary log folder) for one test file. */
export async function startTestMesh(
  options: Partial<LocalMeshOptions> & { models: string },
): Promise<TestMesh> {
  const name = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const mesh = await startLocalMesh({
    rowScale: 0.0005,
    seed: 7,
    shards: 2,
    workers: 1,
    port: 0,
    natsUrl: NATS_URL,
    mesh: name,
    batchSize: 25,
    logDir: mkdtempSync(join(tmpdir(), 'recmesh-test-')),
    readyTimeoutMs: 60_000,
    deleteStreamOnStop: true,
    // Fixed batches unless a test asks for the tuner: assertions count batches.
    scheduler: 'static',
    ...options,
  });
  const client = new RankingClient(mesh.orchestrator);
  // Ready when the orchestrator routes every table and has a worker for every model.
  const until = Date.now() + 15_000;
  for (;;) {
    const list = await client.listModels();
    if (list.models.every((m) => m.ready)) break;
    if (Date.now() > until)
      throw new Error(
        `mesh ${name} not ready: ${JSON.stringify(list.models.map((m) => [m.name, m.ready]))}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    mesh,
    client,
    name,
    async stop() {
      client.close();
      await mesh.stop();
    },
  };
}
