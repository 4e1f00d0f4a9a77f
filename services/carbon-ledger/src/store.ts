import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

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
  readonly energyMethod: 'measured' | 'modelled';
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

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.insertEvent = this.db.prepare(
      `INSERT OR IGNORE INTO usage_events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${camel(c)}`).join(', ')})`,
    );
    this.insertRejection = this.db.prepare(
      `INSERT OR IGNORE INTO rejected_events VALUES (@key, @eventId, @subject, @reason, @message, @payload, @at)`,
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

  counter(name: string): number {
    const row = this.db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as
      { value: number } | undefined;
    return row?.value ?? 0;
  }

  close(): void {
    this.db.close();
  }
}
