import { embeddingBackendOf, loadBackend } from '@recmesh/backend';
import { resolveModels } from '@recmesh/models';
import { runService, type Booted } from '@recmesh/runtime';
import type { shardSpec } from './config';
import { embeddingService } from './embedding-service';
import { PartitionStore, readPlan } from './partition-store';

export async function runShard(booted: Booted<typeof shardSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const models = resolveModels(config.models, { rowScale: config.rowScale, seed: config.seed });
  const plan = config.plan === undefined ? undefined : readPlan(config.plan, models);
  const container = await loadBackend(config.backend, (id) => import(id), {
    source: 'RECMESH_BACKEND_CONFIG',
    ...(config.backendConfig === undefined ? {} : { config: config.backendConfig }),
  });
  const backend = embeddingBackendOf(container);
  logger.info({ capabilities: backend.capabilities() }, 'embedding backend loaded');

  await runService(
    { role: 'embedding-shard', instance, config: common, logger, telemetry },
    async (context) => {
      const store = await PartitionStore.load(backend, models, plan, config.group, logger);
      return {
        backend: backend.name,
        services: [embeddingService(context, backend, store)],
        models: () => store.models(),
        group: store.group,
        partitions: () => store.partitions(),
        onStop: () => backend.dispose(),
      };
    },
  );
}
