import { embeddingBackendOf, loadBackend } from '@recmesh/backend';
import { readPlanFile, resolveModels } from '@recmesh/models';
import { runService, type Booted } from '@recmesh/runtime';
import { meter } from '@recmesh/telemetry';
import type { shardSpec } from './config';
import { embeddingService } from './embedding-service';
import { PartitionStore } from './partition-store';

/** Table bytes and process RSS as Prometheus gauges (also in Describe). */
function registerMemoryMetrics(store: PartitionStore): void {
  const m = meter();
  m.createObservableGauge('recmesh_shard_table_bytes', {
    description: 'bytes of table rows this shard holds',
    unit: 'By',
  }).addCallback((result) => result.observe(store.bytes()));
  m.createObservableGauge('recmesh_process_rss_bytes', {
    description: 'resident set size of the process',
    unit: 'By',
  }).addCallback((result) => result.observe(process.memoryUsage.rss()));
  m.createObservableGauge('recmesh_shard_partitions', {
    description: 'table partitions this shard holds',
  }).addCallback((result) => result.observe(store.partitions().length));
}

export async function runShard(booted: Booted<typeof shardSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const models = resolveModels(config.models, { rowScale: config.rowScale, seed: config.seed });
  const plan =
    config.plan === undefined ? undefined : readPlanFile(config.plan, models, 'RECMESH_PLAN');
  const container = await loadBackend(config.backend, (id) => import(id), {
    source: 'RECMESH_BACKEND_CONFIG',
    ...(config.backendConfig === undefined ? {} : { config: config.backendConfig }),
  });
  const backend = embeddingBackendOf(container);
  const capabilities = backend.capabilities();
  logger.info(
    { kernel: capabilities.kernel, capabilities },
    `embedding backend loaded: kernel ${capabilities.kernel}`,
  );
  if (capabilities.kernel === 'typescript-fallback')
    logger.warn(
      { reason: capabilities.details.fallbackReason },
      'native kernel unavailable: using the TypeScript fallback',
    );

  await runService(
    { role: 'embedding-shard', instance, config: common, logger, telemetry },
    async (context) => {
      const store = await PartitionStore.load(
        backend,
        models,
        { plan, group: config.group, tablesDir: config.tablesDir, dtype: config.tableDtype },
        logger,
      );
      registerMemoryMetrics(store);
      logger.info(
        {
          tableBytes: store.bytes(),
          rssBytes: process.memoryUsage.rss(),
          partitions: store.partitions().length,
        },
        'tables loaded',
      );
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
