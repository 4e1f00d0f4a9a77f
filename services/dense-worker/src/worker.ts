import { denseBackendOf, loadBackend } from '@recmesh/backend';
import { servedPresets } from '@recmesh/model-repository';
import { keepVersions, logReload, runService, type Booted } from '@recmesh/runtime';
import type { workerSpec } from './config';
import { denseService } from './dense-service';
import { SessionStore } from './sessions';

export async function runWorker(booted: Booted<typeof workerSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const presets = servedPresets(config.models, config.modelRepository, {
    rowScale: config.rowScale,
    seed: config.seed,
  });
  const container = await loadBackend(config.backend, (id) => import(id), {
    source: 'RECMESH_BACKEND_CONFIG',
    ...(config.backendConfig === undefined ? {} : { config: config.backendConfig }),
  });
  const backend = denseBackendOf(container);
  logger.info({ capabilities: backend.capabilities() }, 'dense backend loaded');

  await runService(
    { role: 'dense-worker', instance, config: common, logger, telemetry },
    async (context) => {
      const { store, report } = await SessionStore.load(
        backend,
        presets,
        {
          intraOpThreads: config.intraOpThreads,
          repository: config.modelRepository,
          graceMs: config.versionGraceMs,
          tablesMaxBytes: Math.floor(config.tablesMaxMb * 1024 * 1024),
        },
        logger,
      );
      if (report !== undefined) logReload(logger, report, 'model repository loaded');
      const versions = keepVersions(context, store.held);
      return {
        backend: backend.name,
        services: [denseService(context, backend, store, config.maxBatch)],
        models: () => store.names(),
        modelVersions: () => store.versions(),
        pool: config.pool ?? (backend.name === 'cuda' ? 'accel' : 'cpu'),
        reload: versions.reload,
        onStop: async () => {
          versions.stop();
          await store.release();
        },
      };
    },
  );
}
