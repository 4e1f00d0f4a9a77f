import { denseBackendOf, loadBackend } from '@recmesh/backend';
import { resolveModels } from '@recmesh/models';
import { runService, type Booted } from '@recmesh/runtime';
import type { workerSpec } from './config';
import { denseService } from './dense-service';
import { SessionStore } from './sessions';

export async function runWorker(booted: Booted<typeof workerSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const models = resolveModels(config.models, { rowScale: config.rowScale, seed: config.seed });
  const container = await loadBackend(config.backend, (id) => import(id), {
    source: 'RECMESH_BACKEND_CONFIG',
    ...(config.backendConfig === undefined ? {} : { config: config.backendConfig }),
  });
  const backend = denseBackendOf(container);
  logger.info({ capabilities: backend.capabilities() }, 'dense backend loaded');

  await runService(
    { role: 'dense-worker', instance, config: common, logger, telemetry },
    async (context) => {
      const store = await SessionStore.load(backend, models, config.intraOpThreads, logger);
      return {
        backend: backend.name,
        services: [denseService(context, backend, store, config.maxBatch)],
        models: () => store.names(),
        pool: config.pool ?? (backend.name === 'cuda' ? 'accel' : 'cpu'),
        onStop: () => store.release(),
      };
    },
  );
}
