import { ACT, GridSeries, type GridPoint, type HardwareProfile } from '@recmesh/carbon';
import type {
  DataSource,
  ReportRequest,
  ReportResponse,
  ReportRow,
  ReportWindow,
} from '@recmesh/proto';
import type { Store } from './store';

export const BOUNDARY =
  "Operational and embodied carbon of the compute of recmesh's services (orchestrators, embedding shards, " +
  'dense workers) on the hardware profiles they run on: busy unit-seconds (kernel and graph time, and the ' +
  "orchestrators' own parse and merge time); their energy, measured (RAPL, NVML) where readable and else modelled " +
  "(a busy unit-second costs its share of idle power plus its dynamic power), times the site's PUE; and their " +
  "share of the hardware's embodied carbon (ACT: silicon and packaging) over its lifetime. Excluded: idle " +
  'capacity no work used, the network, clients, parts a profile does not list (chassis, boards, power supplies ' +
  'unless given as manual parts), and the host of a GPU beyond its profile. R = one ranked query.';

export const METHOD =
  'SCI = (E x I + M) per R. E: energy of each usage window x PUE; I: grid intensity, time-weighted over the ' +
  'window; M: embodied x busy time / (units sharing the hardware x lifetime). Rows are summed per service, ' +
  'backend, model and profile; g_per_query divides by the ranked queries (R) of the whole report.';

interface Sums {
  events: number;
  queries: number;
  items: number;
  busy_s: number;
  bytes_moved: number;
  energy_j: number;
  measured_energy_j: number;
  operational_g: number;
  embodied_g: number;
}

const SUMS = `COUNT(*) AS events, TOTAL(queries) AS queries, TOTAL(items) AS items, TOTAL(busy_s) AS busy_s,
  TOTAL(bytes_moved) AS bytes_moved, TOTAL(energy_j) AS energy_j,
  TOTAL(CASE WHEN energy_method = 'measured' THEN it_energy_j ELSE 0 END) AS measured_energy_j,
  TOTAL(operational_g) AS operational_g, TOTAL(embodied_g) AS embodied_g`;
const R = `TOTAL(CASE WHEN service = 'orchestrator' THEN queries ELSE 0 END)`;

const perQuery = (g: number, r: number) => (r > 0 ? g / r : 0);

/** Time-bucketed rows of width `windowMs` from `origin`. */
function windows(store: Store, fromMs: number, origin: number, windowMs: number): ReportWindow[] {
  const rows = store.db
    .prepare(
      `SELECT CAST((window_end_ms - @origin) / @w AS INTEGER) AS bucket, ${R} AS r, ${SUMS}
       FROM usage_events WHERE window_end_ms > @from GROUP BY bucket ORDER BY bucket`,
    )
    .all({ origin, w: windowMs, from: fromMs }) as (Sums & { bucket: number; r: number })[];
  return rows.map((b) => {
    const totalG = b.operational_g + b.embodied_g;
    return {
      startMs: origin + b.bucket * windowMs,
      endMs: origin + (b.bucket + 1) * windowMs,
      queries: b.r,
      operationalG: b.operational_g,
      embodiedG: b.embodied_g,
      totalG,
      gPerQuery: perQuery(totalG, b.r),
      energyJ: b.energy_j,
    };
  });
}

/** A region's recorded points as a series (the first is its base value). */
function seriesOf(region: string, points: readonly GridPoint[]): GridSeries | undefined {
  const [base, ...rest] = points;
  if (base === undefined) return undefined;
  const series = new GridSeries(region, {
    region,
    gPerKwh: base.gPerKwh,
    year: base.year ?? 0,
    source: base.source,
  });
  for (const p of Number.isFinite(base.fromMs) ? points : rest) series.add(p);
  return series;
}

/** Each figure the report rests on, with its source and year, as recorded in the books. */
function sources(
  store: Store,
  profiles: ReadonlyMap<string, HardwareProfile>,
  fromMs: number,
  toMs: number,
  used: readonly string[],
): DataSource[] {
  const out: DataSource[] = [];
  for (const [region, points] of store.gridPoints()) {
    for (const s of seriesOf(region, points)?.segments(fromMs, Math.max(fromMs, toMs)) ?? []) {
      out.push({
        what: `grid intensity (${region})`,
        value: `${s.point.gPerKwh} gCO2e/kWh${Number.isFinite(s.point.fromMs) ? ` from ${new Date(s.point.fromMs).toISOString()}` : ''}`,
        source: s.point.source,
        year: s.point.year ?? 0,
      });
    }
  }
  const pues = store.db
    .prepare('SELECT DISTINCT pue FROM usage_events WHERE window_end_ms > ? ORDER BY pue')
    .all(fromMs) as { pue: number }[];
  for (const { pue } of pues)
    out.push({
      what: 'PUE',
      value: String(pue),
      source: 'the site (RECMESH_PUE; 1.1 when unset, assumed)',
      year: 0,
    });
  out.push({
    what: 'embodied model',
    value: 'ACT logic, DRAM, SSD, HDD and packaging tables, version 2',
    source: ACT.source,
    year: 2025,
  });
  for (const name of used) {
    const p = profiles.get(name);
    if (p === undefined) {
      out.push({
        what: `hardware profile ${name}`,
        value: '(not among the profiles given to this report)',
        source: '',
        year: 0,
      });
      continue;
    }
    out.push({
      what: `hardware profile ${name}`,
      value: `${p.embodied.totalKg.toFixed(2)} kg CO2e embodied over ${p.lifetime.years} years, ${p.capacity.units} ${p.capacity.unit}(s); ${p.power.idleW} W idle, ${p.power.maxW} W max`,
      source: `power: ${p.power.source}; lifetime: ${p.lifetime.source}; capacity: ${p.capacity.source}`,
      year: 0,
    });
  }
  const meters = store.db
    .prepare(
      `SELECT energy_source AS s, TOTAL(it_energy_j) AS j, MAX(window_end_ms) AS t FROM usage_events
       WHERE window_end_ms > ? AND energy_method = 'measured' GROUP BY energy_source`,
    )
    .all(fromMs) as { s: string; j: number; t: number }[];
  for (const m of meters)
    out.push({
      what: 'energy (measured)',
      value: `${m.j.toFixed(3)} J of IT energy`,
      source: m.s,
      year: new Date(m.t).getUTCFullYear(),
    });
  return out;
}

/** The books over the last `since_s` seconds (everything for 0), in the SCI form. */
export function report(
  store: Store,
  profiles: ReadonlyMap<string, HardwareProfile>,
  request: ReportRequest,
  now = Date.now(),
): ReportResponse {
  const fromMs = request.sinceS > 0 ? now - request.sinceS * 1000 : 0;
  const windowS = request.windowS ?? 0;
  const grouped = store.db
    .prepare(
      `SELECT service, backend, model, profile, MIN(energy_method) AS lo, MAX(energy_method) AS hi, ${SUMS}
       FROM usage_events WHERE window_end_ms > ? GROUP BY service, backend, model, profile
       ORDER BY service, model, backend, profile`,
    )
    .all(fromMs) as (Sums & {
    service: string;
    backend: string;
    model: string;
    profile: string;
    lo: string;
    hi: string;
  })[];
  const t = store.db
    .prepare(
      `SELECT ${R} AS r, MIN(window_start_ms) AS start, MAX(window_end_ms) AS end,
       TOTAL(receipt_operational_g) AS ro, TOTAL(receipt_embodied_g) AS re, ${SUMS}
       FROM usage_events WHERE window_end_ms > ?`,
    )
    .get(fromMs) as Sums & {
    r: number;
    start: number | null;
    end: number | null;
    ro: number;
    re: number;
  };
  const rows: ReportRow[] = grouped.map((g) => {
    const totalG = g.operational_g + g.embodied_g;
    return {
      service: g.service,
      backend: g.backend,
      model: g.model,
      profile: g.profile,
      events: g.events,
      queries: g.queries,
      items: g.items,
      busyS: g.busy_s,
      bytesMoved: g.bytes_moved,
      energyJ: g.energy_j,
      measuredEnergyJ: g.measured_energy_j,
      operationalG: g.operational_g,
      embodiedG: g.embodied_g,
      totalG,
      gPerQuery: perQuery(totalG, t.r),
      energyMethod: g.lo === g.hi ? g.lo : 'mixed',
    };
  });
  const totalG = t.operational_g + t.embodied_g;
  const start = t.start ?? 0;
  const end = t.end ?? 0;
  const used = [...new Set(rows.map((r) => r.profile))];
  const sourceList = sources(store, profiles, request.sinceS > 0 ? fromMs : start, end, used);
  const rejected = (
    store.db.prepare('SELECT COUNT(*) AS n FROM rejected_events').get() as { n: number }
  ).n;
  return {
    rows,
    events: t.events,
    queries: t.r,
    operationalG: t.operational_g,
    embodiedG: t.embodied_g,
    totalG,
    gPerQuery: perQuery(totalG, t.r),
    energyJ: t.energy_j,
    measuredEnergyJ: t.measured_energy_j,
    receiptsOperationalG: t.ro,
    receiptsEmbodiedG: t.re,
    receiptsG: t.ro + t.re,
    windowStartMs: start,
    windowEndMs: end,
    windows:
      windowS > 0 && t.events > 0
        ? windows(store, fromMs, request.sinceS > 0 ? fromMs : start, windowS * 1000)
        : [],
    boundary: BOUNDARY,
    method: METHOD,
    sources: sourceList,
    factorsSource: sourceList
      .map((x) => `${x.what}: ${x.value}${x.year > 0 ? ` (${x.year})` : ''}`)
      .join('; '),
    rejectedEvents: rejected,
    duplicateEvents: store.counter('duplicate_events'),
  };
}
