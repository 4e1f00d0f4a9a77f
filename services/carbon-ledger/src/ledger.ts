import { join } from 'node:path';
import { ensureUsageStream, subjectsFor } from '@recmesh/bus';
import { Booking, report, Store } from '@recmesh/carbon-books';
import { gridFeedMetrics, startSiteFactors } from '@recmesh/carbon-io';
import { CarbonServiceService, type ReportRequest, type ReportResponse } from '@recmesh/proto';
import { unary } from '@recmesh/rpc';
import { runService, type Booted } from '@recmesh/runtime';
import type { ledgerSpec } from './config';
import { startConsumer } from './consumer';
import { ledgerMetrics } from './metrics';

export async function runLedger(booted: Booted<typeof ledgerSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const store = new Store(config.db ?? join('.recmesh', `ledger-${common.mesh}.sqlite`));
  logger.info({ db: store.path }, 'books opened (SQLite, WAL)');

  await runService(
    { role: 'carbon-ledger', instance, config: common, logger, telemetry },
    async (context) => {
      // Every grid point the books are costed with is recorded beside them.
      const feed = gridFeedMetrics(logger);
      const site = await startSiteFactors(context.nc, common.mesh, config, {
        ...feed,
        onPoint: (p) => {
          feed.onPoint?.(p);
          store.saveGridPoint(config.region, p);
        },
      });
      for (const p of site.grid.all()) store.saveGridPoint(config.region, p);
      const factors = { profiles: context.profiles, grid: site.grid, pue: site.pue };
      const stream = await ensureUsageStream(context.nc, common.mesh, common.streamReplicas);
      const consumer = await startConsumer({
        nc: context.nc,
        stream,
        filterSubject: subjectsFor(common.mesh).usageAll,
        durable: config.durable,
        batch: config.batch,
        ackWaitMs: config.ackWaitMs,
        store,
        booking: new Booking(factors),
        profiles: context.profiles,
        metrics: ledgerMetrics(),
        logger,
      });
      consumer.done.catch((err: unknown) => {
        logger.fatal({ err: String(err) }, 'the books cannot be written; stopping unacked');
        process.exit(1);
      });
      logger.info(
        { stream, durable: config.durable, region: site.region, pue: site.pue },
        'consuming usage events',
      );

      const serveReport = (request: ReportRequest): Promise<ReportResponse> =>
        Promise.resolve(report(store, context.profiles, request));
      return {
        backend: 'cpu',
        services: [
          {
            name: 'recmesh.v1.CarbonService',
            definition: CarbonServiceService,
            implementation: { report: unary('CarbonService/Report', logger, serveReport) },
          },
        ],
        onStop: async () => {
          await consumer.stop();
          await site.stop();
          store.close();
        },
      };
    },
  );
}
