import { PeerRegistry } from '@recmesh/bus';
import { gridFeedMetrics, startSiteFactors } from '@recmesh/carbon-io';
import { servedPresets } from '@recmesh/model-repository';
import { BufferPool } from '@recmesh/rpc';
import { runService, type Booted } from '@recmesh/runtime';
import type { orchestratorSpec } from './config';
import { Receipts } from './carbon/receipts';
import { ModelCatalog } from './catalog/model-catalog';
import { rankingService } from './ranking-service';
import { Balancer } from './routing/balancer';
import { ClientPool } from './routing/client-pool';
import { DEFAULT_HEDGE, HedgePolicy } from './routing/hedge-policy';
import { Router } from './routing/router';
import { StaticPeers } from './routing/static-peers';
import { VersionPins } from './routing/version-pins';
import { Admission } from './scheduler/admission';
import { schedulerService } from './scheduler/scheduler-service';
import { Schedulers } from './scheduler/schedulers';

/** Predict request buffers kept for reuse: a few batches in flight of the largest models. */
const PREDICT_BUFFER_BYTES = 64 * 1024 * 1024;

export async function runOrchestrator(booted: Booted<typeof orchestratorSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const presets = servedPresets(config.models, config.modelRepository, {
    rowScale: config.rowScale,
    seed: config.seed,
  });
  const catalog = new ModelCatalog(presets, config.modelRepository, logger);

  await runService(
    { role: 'orchestrator', instance, config: common, logger, telemetry },
    async (context) => {
      const registry = new PeerRegistry(context.nc, common.mesh);
      const statics = new StaticPeers(config.shards, config.workers, common.heartbeatMs, logger);
      // A new current version changes what this orchestrator announces it uses.
      const router = new Router([registry, statics], catalog, () => context.announceNow());
      const pins = new VersionPins(
        () => router.currentVersions(),
        () => context.announceNow(),
      );
      // Shards and workers announcing a version this orchestrator has not read yet (a reload it
      // missed): read the repository's manifests again.
      const learnVersions = () => {
        if (router.unknownVersions > 0 && catalog.rescanSoon()) router.rebuild();
      };
      registry.on('change', learnVersions);
      statics.on('change', learnVersions);
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
      const schedulers = new Schedulers(presets, {
        policy: config.scheduler,
        batchSize: config.batchSize,
        offloadThreshold: config.offloadThreshold ?? Infinity,
        targetP95Ms: config.targetP95Ms,
        windowQueries: config.windowQueries,
        minWindowMs: config.minWindowMs,
        retuneOnLoadChange: 0.25,
      });
      // A pool of accelerator workers appearing or vanishing re-tunes the offload threshold.
      const syncAccelerators = () => {
        for (const name of catalog.names())
          schedulers.ensure(catalog.latest(name)).setAccelerator(router.hasAccelerator(name));
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
          maxBatchesInFlight: config.maxBatchesInFlight,
          predictBuffers: new BufferPool(PREDICT_BUFFER_BYTES),
        },
        {
          catalog,
          pins,
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
        models: () => catalog.names(),
        inUse: () => pins.inUse(),
        reload: () => {
          const report = catalog.rescan();
          router.rebuild();
          syncAccelerators();
          return Promise.resolve(report);
        },
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
