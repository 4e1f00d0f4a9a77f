import { Command, Option } from 'commander';
import { report, Store } from '@recmesh/carbon-books';
import { loadProfiles } from '@recmesh/carbon-io';
import { invalidArgument } from '@recmesh/errors';
import type { ReportRequest, ReportResponse } from '@recmesh/proto';
import { num } from '../mesh-options';
import { info, printJson, table } from '../output';
import { discoverLedger, fetchReport } from './carbon-client';
import { reportCsv, reportJson } from './carbon-report-format';

const UNIT_S: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration flag: "90s", "30m", "1h", "1h30m", "2d", or plain seconds; "all" or 0 = everything. */
export function durationS(flag: string) {
  return (raw: string): number => {
    if (raw === 'all') return 0;
    if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
    const parts = [...raw.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join('') !== raw)
      throw invalidArgument(flag, raw, 'a duration such as 90s, 30m, 1h, 1h30m, 2d (or seconds)');
    return parts.reduce((s, p) => s + Number(p[1]) * (UNIT_S[p[2] as string] as number), 0);
  };
}

const g = (x: number) => x.toExponential(4);

/** The report of a running ledger (given, or found on NATS). */
async function fromLedger(
  opts: ReportFlags,
  request: ReportRequest,
): Promise<[string, ReportResponse]> {
  const ledger = opts.target ?? (await discoverLedger(opts.natsUrl, opts.mesh, opts.timeoutMs));
  return [ledger, await fetchReport(ledger, request, opts.timeoutMs)];
}

/** The same report, computed here from a ledger's SQLite file (opened read-only). */
function fromFile(db: string, profilesDirs: string[], request: ReportRequest): ReportResponse {
  const store = new Store(db, { readonly: true });
  try {
    return report(store, loadProfiles(profilesDirs), request);
  } finally {
    store.close();
  }
}

interface ReportFlags {
  since: number;
  window: number;
  json?: boolean;
  csv?: boolean;
  target?: string;
  db?: string;
  profilesDir?: string[];
  mesh: string;
  natsUrl: string;
  timeoutMs: number;
}

/** `recmesh carbon report`: the ledger's books in the Software Carbon Intensity form. */
export function carbonReportCommand(): Command {
  return new Command('report')
    .description(
      "the carbon ledger's books in the Software Carbon Intensity form: gCO2e per ranked query, per service, backend, model and time window, with boundary and sources",
    )
    .addOption(
      new Option('--since <duration>', 'usage of the last ...: 90s, 30m, 1h, 2d, or all')
        .default(3600, '1h')
        .argParser(durationS('--since')),
    )
    .addOption(
      new Option('--window <duration>', 'width of the per-window rows (0: none)')
        .default(0)
        .argParser(durationS('--window')),
    )
    .addOption(new Option('--json', 'print one JSON object (last line of stdout)').conflicts('csv'))
    .option('--csv', 'print CSV: total, rows, windows, sources, boundary')
    .option('--target <host:port>', "the ledger's address (default: discovered on NATS)")
    .option(
      '--db <file>',
      "read the books from a ledger's SQLite file instead (e.g. after recmesh demo)",
    )
    .option('--profiles-dir <folder...>', 'with --db: folders of your own hardware profiles')
    .addOption(new Option('--mesh <name>', 'mesh whose ledger to ask').default('default'))
    .addOption(
      new Option('--nats-url <url>', 'NATS server for discovery')
        .env('NATS_URL')
        .default('nats://127.0.0.1:4222'),
    )
    .addOption(
      new Option('--timeout-ms <n>', 'how long to look for the ledger and wait for it')
        .default(5000)
        .argParser(num('--timeout-ms', { min: 1 })),
    )
    .action(async (opts: ReportFlags) => {
      const request = { sinceS: opts.since, windowS: opts.window };
      const [ledger, r] =
        opts.db !== undefined
          ? [`file ${opts.db}`, fromFile(opts.db, opts.profilesDir ?? [], request)]
          : await fromLedger(opts, request);
      const j = reportJson(r, ledger, opts.since, opts.window);
      if (opts.json === true) return printJson(j);
      if (opts.csv === true) return void process.stdout.write(`${reportCsv(j)}\n`);
      info(
        `ledger ${ledger}, ${j.events} usage events from ${j.window_start ?? '-'} to ${j.window_end ?? '-'}`,
      );
      process.stdout.write(
        `SCI ${g(j.sci_g_per_query)} gCO2e per ranked query (${j.queries} queries): ` +
          `operational ${g(j.operational_g)} g + embodied ${g(j.embodied_g)} g = ${g(j.total_g)} g; receipts ${g(j.receipts_g)} g\n\n`,
      );
      const rows = [
        [
          'SERVICE',
          'BACKEND',
          'MODEL',
          'PROFILE',
          'CALLS',
          'BUSY s',
          'ENERGY J',
          'METHOD',
          'OPER g',
          'EMB g',
          'g/QUERY',
        ],
        ...j.rows.map((x) => [
          x.service,
          x.backend,
          x.model,
          x.profile,
          String(x.queries),
          x.busy_s.toFixed(3),
          x.energy_j.toFixed(2),
          x.energy_method,
          g(x.operational_g),
          g(x.embodied_g),
          g(x.g_per_query),
        ]),
      ];
      process.stdout.write(`${table(rows)}\n\n`);
      for (const w of j.windows)
        process.stdout.write(
          `${w.start}  ${w.queries} queries  ${g(w.total_g)} g  ${g(w.g_per_query)} g/query\n`,
        );
      for (const s of j.sources)
        process.stdout.write(
          `source  ${s.what}: ${s.value} (${s.source}${s.year === null ? '' : `, ${s.year}`})\n`,
        );
      process.stdout.write(`\nboundary  ${j.boundary}\n`);
    });
}
