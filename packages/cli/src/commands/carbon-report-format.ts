import type { ReportResponse } from '@recmesh/proto';

/** The report as one JSON object, snake_case, SCI first. */
export function reportJson(r: ReportResponse, ledger: string, sinceS: number, windowS: number) {
  const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);
  return {
    ledger,
    since_s: sinceS,
    window_s: windowS,
    sci_g_per_query: r.gPerQuery,
    queries: r.queries,
    total_g: r.totalG,
    operational_g: r.operationalG,
    embodied_g: r.embodiedG,
    energy_j: r.energyJ,
    measured_energy_j: r.measuredEnergyJ,
    receipts_g: r.receiptsG,
    receipts_operational_g: r.receiptsOperationalG,
    receipts_embodied_g: r.receiptsEmbodiedG,
    receipts_vs_ledger: r.totalG > 0 ? (r.receiptsG - r.totalG) / r.totalG : 0,
    events: r.events,
    rejected_events: r.rejectedEvents,
    duplicate_events: r.duplicateEvents,
    window_start: iso(r.windowStartMs),
    window_end: iso(r.windowEndMs),
    rows: r.rows.map((x) => ({
      service: x.service,
      backend: x.backend,
      model: x.model,
      profile: x.profile,
      events: x.events,
      queries: x.queries,
      items: x.items,
      busy_s: x.busyS,
      bytes_moved: x.bytesMoved,
      energy_j: x.energyJ,
      measured_energy_j: x.measuredEnergyJ,
      energy_method: x.energyMethod,
      operational_g: x.operationalG,
      embodied_g: x.embodiedG,
      total_g: x.totalG,
      g_per_query: x.gPerQuery,
    })),
    windows: r.windows.map((w) => ({
      start: iso(w.startMs),
      end: iso(w.endMs),
      queries: w.queries,
      energy_j: w.energyJ,
      operational_g: w.operationalG,
      embodied_g: w.embodiedG,
      total_g: w.totalG,
      g_per_query: w.gPerQuery,
    })),
    sources: r.sources.map((s) => ({
      what: s.what,
      value: s.value,
      source: s.source,
      year: s.year || null,
    })),
    boundary: r.boundary,
    method: r.method,
  };
}

const CSV_COLUMNS = [
  ...['kind', 'start', 'end', 'service', 'backend', 'model', 'profile', 'energy_method'],
  ...['queries', 'busy_s', 'energy_j', 'measured_energy_j', 'operational_g', 'embodied_g'],
  ...['total_g', 'g_per_query', 'note', 'year'],
] as const;
type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>;

function cell(v: string | number | null | undefined): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The report as CSV: a `total` line (the SCI), one `row` line per service, backend, model and
 * profile, one `window` line per time window, then `source` lines (figure, source, year) and the
 * `boundary`, so the file stands on its own.
 */
export function reportCsv(j: ReturnType<typeof reportJson>): string {
  const lines: CsvRow[] = [
    {
      kind: 'total',
      start: j.window_start,
      end: j.window_end,
      queries: j.queries,
      energy_j: j.energy_j,
      measured_energy_j: j.measured_energy_j,
      operational_g: j.operational_g,
      embodied_g: j.embodied_g,
      total_g: j.total_g,
      g_per_query: j.sci_g_per_query,
      note: `SCI gCO2e per ranked query; receipts ${j.receipts_g} g`,
    },
    ...j.rows.map((r): CsvRow => ({ kind: 'row', ...r })),
    ...j.windows.map((w): CsvRow => ({ kind: 'window', ...w })),
    ...j.sources.map((s): CsvRow => ({
      kind: 'source',
      service: s.what,
      note: `${s.value} (${s.source})`,
      year: s.year,
    })),
    { kind: 'boundary', note: j.boundary },
    { kind: 'method', note: j.method },
  ];
  return [
    CSV_COLUMNS.join(','),
    ...lines.map((l) => CSV_COLUMNS.map((c) => cell(l[c])).join(',')),
  ].join('\n');
}
