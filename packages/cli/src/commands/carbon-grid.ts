import { Command, Option } from 'commander';
import { connectBus } from '@recmesh/bus';
import { nonNegative, parseTime, type RegionPoint } from '@recmesh/carbon';
import { publishGridPoint, readGridSeriesFile } from '@recmesh/carbon-io';
import { invalidArgument } from '@recmesh/errors';
import { num } from '../mesh-options';
import { printJson } from '../output';
import { durationS } from './carbon-report';

interface GridFlags {
  region: string;
  gPerKwh?: number;
  from?: string;
  lead: number;
  source: string;
  year?: number;
  file?: string;
  mesh: string;
  natsUrl: string;
  json?: boolean;
}

/** When a point takes effect: an ISO time, epoch ms, or "+30s" from now; default now + lead. */
function fromMs(raw: string | undefined, leadS: number, now: number): number {
  if (raw === undefined) return now + leadS * 1000;
  if (raw.startsWith('+')) return now + durationS('--from')(raw.slice(1)) * 1000;
  return parseTime('--from', /^\d+$/.test(raw) ? Number(raw) : raw);
}

/** `recmesh carbon grid publish`: puts grid intensity points on a mesh's live feed. */
export function carbonGridCommand(): Command {
  const publish = new Command('publish')
    .description(
      "publish grid carbon intensity on the mesh's live feed (JetStream): receipts and the ledger follow it from the point's time on",
    )
    .requiredOption('--region <name>', 'grid region the point is for (RECMESH_REGION of the mesh)')
    .addOption(
      new Option('--g-per-kwh <n>', 'grid intensity, gCO2e/kWh').argParser(
        num('--g-per-kwh', { min: 0 }),
      ),
    )
    .option(
      '--from <time>',
      'when it takes effect: ISO 8601 with a zone, epoch ms, or +30s (default: now + --lead)',
    )
    .addOption(
      new Option(
        '--lead <duration>',
        'default delay before a point takes effect, so every process has it first',
      )
        .default(5, '5s')
        .argParser(durationS('--lead')),
    )
    .addOption(
      new Option('--source <text>', 'where the figure comes from').default(
        'recmesh carbon grid publish',
      ),
    )
    .addOption(
      new Option('--year <n>', 'year the figure describes').argParser(
        num('--year', { int: true, min: 1990, max: 2100 }),
      ),
    )
    .option(
      '--file <series>',
      'publish every point of a series file (CSV or YAML/JSON) for --region instead',
    )
    .addOption(new Option('--mesh <name>', 'mesh whose feed to publish on').default('default'))
    .addOption(
      new Option('--nats-url <url>', 'NATS server')
        .env('NATS_URL')
        .default('nats://127.0.0.1:4222'),
    )
    .option('--json', 'print one JSON object (last line of stdout)')
    .action(async (opts: GridFlags) => {
      const now = Date.now();
      let points: RegionPoint[];
      if (opts.file !== undefined) points = readGridSeriesFile(opts.file, opts.region);
      else {
        if (opts.gPerKwh === undefined)
          throw invalidArgument('--g-per-kwh', null, 'missing: give the intensity (or --file)');
        points = [
          {
            region: opts.region,
            fromMs: fromMs(opts.from, opts.lead, now),
            gPerKwh: nonNegative('--g-per-kwh', opts.gPerKwh),
            source: opts.source,
            ...(opts.year === undefined ? {} : { year: opts.year }),
          },
        ];
      }
      const nc = await connectBus({ servers: opts.natsUrl, name: 'recmesh-cli' });
      try {
        const published = [];
        for (const p of points) {
          const seq = await publishGridPoint(nc, opts.mesh, p);
          published.push({
            seq,
            region: p.region,
            from: new Date(Math.max(p.fromMs, now)).toISOString(),
            g_per_kwh: p.gPerKwh,
          });
        }
        if (opts.json === true) printJson({ mesh: opts.mesh, published });
        else
          for (const p of published)
            process.stdout.write(
              `${p.region}: ${p.g_per_kwh} gCO2e/kWh from ${p.from} (stream seq ${p.seq})\n`,
            );
      } finally {
        await nc.close();
      }
    });
  return new Command('grid')
    .description('the live grid intensity feed of a mesh')
    .addCommand(publish);
}
