import { embeddingBackendOf, loadBackend } from '@recmesh/backend';
import { servedPresets } from '@recmesh/model-repository';
import { readPlanFile } from '@recmesh/models';
import { keepVersions, logReload, runService, type Booted } from '@recmesh/runtime';
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
  const presets = servedPresets(config.models, config.modelRepository, {
    rowScale: config.rowScale,
    seed: config.seed,
  });
  // Partitions of repository models are checked against each version as it loads.
  const plan =
    config.plan === undefined
      ? undefined
      : readPlanFile(config.plan, presets, 'RECMESH_PLAN', config.modelRepository !== undefined);
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
      const { store, report } = await PartitionStore.load(
        backend,
        presets,
        {
          plan,
          group: config.group,
          tablesDir: config.tablesDir,
          dtype: config.tableDtype,
          repository: config.modelRepository,
          graceMs: config.versionGraceMs,
        },
        logger,
      );
      if (report !== undefined) logReload(logger, report, 'model repository loaded');
      if (store.models().length === 0 && store.partitions().length === 0)
        logger.warn('this shard holds no table partition (no model, or none placed on its group)');
      registerMemoryMetrics(store);
      logger.info(
        {
          tableBytes: store.bytes(),
          rssBytes: process.memoryUsage.rss(),
          partitions: store.partitions().length,
        },
        'tables loaded',
      );
      const versions = keepVersions(context, store.held);
      return {
        backend: backend.name,
        services: [embeddingService(context, backend, store)],
        models: () => store.models(),
        group: store.group,
        partitions: () => store.partitions(),
        reload: versions.reload,
        onStop: async () => {
          versions.stop();
          await store.release();
          await backend.dispose();
        },
      };
    },
  );
}
