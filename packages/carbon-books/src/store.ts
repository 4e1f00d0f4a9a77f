import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { GridPoint } from '@recmesh/carbon';

/** One usage event as booked: its usage, the factors applied and the carbon. */
export interface BookedEvent {
  readonly id: string;
  readonly service: string;
  readonly instance: string;
  readonly backend: string;
  readonly model: string;
  readonly profile: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly busyS: number;
  readonly bytesMoved: number;
  readonly queries: number;
  readonly items: number;
  /** IT energy (no PUE), J, and the energy with PUE. */
  readonly itEnergyJ: number;
  readonly energyJ: number;
  /** "measured", "modelled" (by the profile, or by the backend when energy_source says so), "mixed". */
  readonly energyMethod: string;
  readonly energySource: string;
  readonly gridGPerKwh: number;
  readonly gridSource: string;
  readonly pue: number;
  readonly operationalG: number;
  readonly embodiedG: number;
  readonly receiptOperationalG: number;
  readonly receiptEmbodiedG: number;
}

/** A message refused, kept with its reason (never dropped silently). */
export interface Rejection {
  /** Unique per stream message: stream, its creation time and the sequence. */
  readonly key: string;
  readonly eventId: string;
  readonly subject: string;
  readonly reason: string;
  readonly message: string;
  readonly payload: Uint8Array;
}

export interface BatchResult {
  /** Events stored now (the others were already in the books). */
  readonly bookedEvents: readonly BookedEvent[];
  readonly booked: number;
  readonly duplicates: number;
  readonly rejected: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_events (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL, instance TEXT NOT NULL, backend TEXT NOT NULL, model TEXT NOT NULL,
  profile TEXT NOT NULL,
  window_start_ms REAL NOT NULL, window_end_ms REAL NOT NULL,
  busy_s REAL NOT NULL, bytes_moved REAL NOT NULL, queries REAL NOT NULL, items REAL NOT NULL,
  it_energy_j REAL NOT NULL, energy_j REAL NOT NULL,
  energy_method TEXT NOT NULL, energy_source TEXT NOT NULL,
  grid_g_per_kwh REAL NOT NULL, grid_source TEXT NOT NULL, pue REAL NOT NULL,
  operational_g REAL NOT NULL, embodied_g REAL NOT NULL,
  receipt_operational_g REAL NOT NULL, receipt_embodied_g REAL NOT NULL,
  booked_at_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_events_by_end ON usage_events (window_end_ms);
CREATE TABLE IF NOT EXISTS rejected_events (
  stream_key TEXT PRIMARY KEY, event_id TEXT NOT NULL, subject TEXT NOT NULL,
  reason TEXT NOT NULL, message TEXT NOT NULL, payload BLOB NOT NULL, rejected_at_ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS grid_points (
  region TEXT NOT NULL, from_ms REAL NOT NULL, g_per_kwh REAL NOT NULL, source TEXT NOT NULL,
  year INTEGER, PRIMARY KEY (region, from_ms)
);
`;

const COLUMNS = [
  ...['id', 'service', 'instance', 'backend', 'model', 'profile', 'window_start_ms'],
  ...['window_end_ms', 'busy_s', 'bytes_moved', 'queries', 'items', 'it_energy_j', 'energy_j'],
  ...['energy_method', 'energy_source', 'grid_g_per_kwh', 'grid_source', 'pue', 'operational_g'],
  ...['embodied_g', 'receipt_operational_g', 'receipt_embodied_g', 'booked_at_ms'],
];
const camel = (c: string) => c.replace(/_([a-z])/g, (_, l: string) => l.toUpperCase());

/**
 * The books: SQLite in WAL mode with synchronous=FULL, so a committed batch survives a crash of
 * the process or of the machine. An event is stored once by its id (INSERT OR IGNORE); a batch
 * of events, rejections and the duplicate counter is one transaction, and the ledger acks the
 * messages only after it commits: killed before the commit, JetStream redelivers and nothing is
 * lost; killed after it, the redelivered events are ignored and nothing counts twice.
 */
export class Store {
  readonly db: Database.Database;
  private readonly insertEvent: Database.Statement;
  private readonly insertRejection: Database.Statement;
  private readonly bump: Database.Statement;
  readonly book: (events: readonly BookedEvent[], rejections: readonly Rejection[]) => BatchResult;

  /** `readonly` opens existing books to report on them (recmesh carbon report --db). */
  constructor(
    readonly path: string,
    options: { readonly?: boolean } = {},
  ) {
    const readonly = options.readonly === true;
    if (path !== ':memory:' && !readonly) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { readonly, fileMustExist: readonly });
    if (!readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
    }
    this.insertEvent = this.db.prepare(
      `INSERT INTO usage_events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${camel(c)}`).join(', ')}) ON CONFLICT (id) DO NOTHING`,
    );
    this.insertRejection = this.db.prepare(
      `INSERT INTO rejected_events VALUES (@key, @eventId, @subject, @reason, @message, @payload, @at) ON CONFLICT (stream_key) DO NOTHING`,
    );
    this.bump = this.db.prepare(
      `INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
    );
    this.book = this.db.transaction(
      (events: readonly BookedEvent[], rejections: readonly Rejection[]) => {
        const at = Date.now();
        const bookedEvents = events.filter(
          (e) => this.insertEvent.run({ ...e, bookedAtMs: at }).changes === 1,
        );
        const booked = bookedEvents.length;
        let rejected = 0;
        for (const r of rejections)
          rejected += this.insertRejection.run({
            ...r,
            payload: Buffer.from(r.payload),
            at,
          }).changes;
        const duplicates = events.length - booked;
        if (duplicates > 0) this.bump.run('duplicate_events', duplicates);
        return { bookedEvents, booked, duplicates, rejected };
      },
    );
  }

  /**
   * Records a grid point the books were costed with (the region's base value has fromMs
   * -Infinity), so a report read from the file alone can name every factor and its source.
   */
  saveGridPoint(region: string, p: GridPoint): void {
    this.db
      .prepare(
        `INSERT INTO grid_points VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (region, from_ms) DO UPDATE SET g_per_kwh = excluded.g_per_kwh,
         source = excluded.source, year = excluded.year`,
      )
      .run(region, p.fromMs, p.gPerKwh, p.source, p.year ?? null);
  }

  /** The grid points recorded, by region, in time order. */
  gridPoints(): Map<string, GridPoint[]> {
    const rows = this.db
      .prepare(
        'SELECT region, from_ms, g_per_kwh, source, year FROM grid_points ORDER BY region, from_ms',
      )
      .all() as {
      region: string;
      from_ms: number;
      g_per_kwh: number;
      source: string;
      year: number | null;
    }[];
    const out = new Map<string, GridPoint[]>();
    for (const r of rows) {
      const list = out.get(r.region) ?? [];
      list.push({
        fromMs: r.from_ms,
        gPerKwh: r.g_per_kwh,
        source: r.source,
        ...(r.year === null ? {} : { year: r.year }),
      });
      out.set(r.region, list);
    }
    return out;
  }

  counter(name: string): number {
    const row = this.db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as
      { value: number } | undefined;
    return row?.value ?? 0;
  }

  close(): void {
    this.db.close();
  }
}
