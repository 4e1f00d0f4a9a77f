import { PeerRegistry } from '@recmesh/bus';
import { gridFeedMetrics, startSiteFactors } from '@recmesh/carbon-io';
import { resolveModels } from '@recmesh/models';
import { runService, type Booted } from '@recmesh/runtime';
import type { orchestratorSpec } from './config';
import { Receipts } from './carbon/receipts';
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
      const site = await startSiteFactors(context.nc, common.mesh, config, gridFeedMetrics(logger));
      const peerProfiles = new Map<string, string>();
      registry.on('change', () => {
        for (const a of registry.list())
          if (a.profile !== undefined) peerProfiles.set(a.id, a.profile);
      });
      const receipts = new Receipts({
        profiles: context.profiles,
        own: context.profile,
        grid: site.grid,
        pue: site.pue,
        peerProfile: (id) => peerProfiles.get(id),
        onUnknownProfile: (id, profile) =>
          logger.warn(
            { peer: id, profile },
            'peer runs on a profile this orchestrator lacks; its work is costed with its own (set RECMESH_PROFILES_DIR alike everywhere)',
          ),
      });
      logger.info(
        {
          region: site.region,
          gridGPerKwh: site.grid.at(Date.now()).gPerKwh,
          pue: site.pue,
          profile: context.profile.name,
        },
        'carbon receipts',
      );
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
          receipts,
          schedulers,
          admission,
        },
      );
      return {
        backend: 'cpu',
        services: [ranking, schedulerService(schedulers, () => admission.shed, logger)],
        models: () => models.map((m) => m.name),
        onStop: async () => {
          registry.stop();
          statics.stop();
          clients.close();
          await site.stop();
        },
      };
    },
  );
}
