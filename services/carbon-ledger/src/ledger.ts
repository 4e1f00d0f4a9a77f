import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ensureUsageStream, subjectsFor } from '@recmesh/bus';
import { DEFAULT_MACHINE, DEFAULT_SITE } from '@recmesh/carbon';
import {
  CarbonServiceService,
  UsageEvent,
  type ReportRequest,
  type ReportResponse,
} from '@recmesh/proto';
import { unary } from '@recmesh/rpc';
import { runService, type Booted } from '@recmesh/runtime';
import { Books } from './books';
import type { ledgerSpec } from './config';

export async function runLedger(booted: Booted<typeof ledgerSpec>): Promise<void> {
  const { config, common, logger, telemetry, instance } = booted;
  const site = {
    ...DEFAULT_SITE,
    region: config.region,
    gridGPerKwh: config.gridGPerKwh ?? DEFAULT_SITE.gridGPerKwh,
    pue: config.pue,
  };
  const books = new Books(DEFAULT_MACHINE, site);

  await runService(
    { role: 'carbon-ledger', instance, config: common, logger, telemetry },
    async (context) => {
      const stream = await ensureUsageStream(context.nc, common.mesh, common.streamReplicas);
      const jsm = await jetstreamManager(context.nc);
      await jsm.consumers.add(stream, {
        durable_name: config.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: subjectsFor(common.mesh).usageAll,
        ack_wait: 30_000_000_000,
      });
      const consumer = await jetstream(context.nc).consumers.get(stream, config.durable);
      const messages = await consumer.consume({ max_messages: 256 });
      const consuming = (async () => {
        for await (const msg of messages) {
          let event: UsageEvent;
          try {
            event = UsageEvent.decode(msg.data);
          } catch (err) {
            logger.warn({ seq: msg.seq, err: String(err) }, 'undecodable usage event; terminated');
            msg.term();
            continue;
          }
          if (event.id === '') {
            logger.warn({ seq: msg.seq }, 'usage event without id; terminated');
            msg.term();
            continue;
          }
          books.add(event);
          msg.ack();
        }
      })();
      logger.info({ stream, durable: config.durable }, 'consuming usage events');

      const report = (request: ReportRequest): Promise<ReportResponse> =>
        Promise.resolve(books.report(request.sinceS));
      return {
        backend: 'cpu',
        services: [
          {
            name: 'recmesh.v1.CarbonService',
            definition: CarbonServiceService,
            implementation: { report: unary('CarbonService/Report', logger, report) },
          },
        ],
        onStop: async () => {
          await messages.close();
          await consuming;
        },
      };
    },
  );
}
