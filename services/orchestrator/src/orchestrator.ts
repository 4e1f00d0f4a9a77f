import { PeerRegistry } from '@recmesh/bus';
import { DEFAULT_MACHINE, DEFAULT_SITE } from '@recmesh/carbon';
import { resolveModels } from '@recmesh/models';
import { runService, type Booted } from '@recmesh/runtime';
import type { orchestratorSpec } from './config';
import { rankingService } from './ranking-service';
import { Balancer } from './routing/balancer';
import { ClientPool } from './routing/client-pool';
import { DEFAULT_HEDGE, HedgePolicy } from './routing/hedge-policy';
import { Router } from './routing/router';
import { StaticPeers } from './routing/static-peers';
import { Admission } from './scheduler/admission';
import { schedulerService } from './scheduler/scheduler-service';
import { Schedulers } from './scheduler/schedulers';

export async function runOrchestrator(booted: Booted<typeof orchestratorSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const models = resolveModels(config.models, { rowScale: config.rowScale, seed: config.seed });

  await runService(
    { role: 'orchestrator', instance, config: common, logger, telemetry },
    async (context) => {
      const registry = new PeerRegistry(context.nc, common.mesh);
      const statics = new StaticPeers(config.shards, config.workers, common.heartbeatMs, logger);
      const router = new Router([registry, statics], models);
      registry.on('change', () =>
        logger.debug({ peers: registry.list().map((p) => p.id) }, 'peers changed'),
      );
      registry.start();
      await statics.start();
      const clients = new ClientPool();
      const site = {
        ...DEFAULT_SITE,
        region: config.region,
        gridGPerKwh: config.gridGPerKwh ?? DEFAULT_SITE.gridGPerKwh,
        pue: config.pue,
      };
      const schedulers = new Schedulers(models, {
        policy: config.scheduler,
        batchSize: config.batchSize,
        offloadThreshold: config.offloadThreshold ?? Infinity,
        targetP95Ms: config.targetP95Ms,
        windowQueries: config.windowQueries,
        retuneOnLoadChange: 0.25,
      });
      // A pool of accelerator workers appearing or vanishing re-tunes the offload threshold.
      const syncAccelerators = () => {
        for (const m of models)
          schedulers.get(m.name).setAccelerator(router.hasAccelerator(m.name));
      };
      registry.on('change', syncAccelerators);
      statics.on('change', syncAccelerators);
      syncAccelerators();
      const admission = new Admission(config.maxInFlightItems);
      const ranking = rankingService(
        context,
        {
          router,
          balancer: new Balancer(),
          clients,
          hedge: new HedgePolicy({
            ...DEFAULT_HEDGE,
            budget: config.hedgeBudget,
            minDelayMs: config.hedgeMinMs,
          }),
        },
        {
          models,
          maxItems: config.maxItems,
          deadlineMs: config.deadlineMs,
          machine: DEFAULT_MACHINE,
          site,
          schedulers,
          admission,
        },
      );
      return {
        backend: 'cpu',
        services: [ranking, schedulerService(schedulers, () => admission.shed, logger)],
        models: () => models.map((m) => m.name),
        onStop: () => {
          registry.stop();
          statics.stop();
          clients.close();
          return Promise.resolve();
        },
      };
    },
  );
}
