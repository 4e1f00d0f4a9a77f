import { attribute, type MachineShare, type SiteFactors } from '@recmesh/carbon';
import type { ReportResponse, ReportRow, UsageEvent } from '@recmesh/proto';

interface Entry {
  readonly event: UsageEvent;
  readonly operationalG: number;
  readonly embodiedG: number;
  readonly energyJ: number;
}

/**
 * The books: every usage event counted once (by id), turned into carbon with the factors in
 * force, and reported per service, backend and model in the Software Carbon Intensity form.
 */
export class Books {
  private readonly entries: Entry[] = [];
  private readonly ids = new Set<string>();

  constructor(
    private readonly machine: MachineShare,
    private readonly site: SiteFactors,
  ) {}

  /** Adds an event; false if its id was already counted. */
  add(event: UsageEvent): boolean {
    if (this.ids.has(event.id)) return false;
    this.ids.add(event.id);
    const c = attribute(
      event.busyS,
      this.machine,
      this.site,
      event.energyJ > 0 ? event.energyJ : undefined,
    );
    this.entries.push({
      event,
      operationalG: c.operationalG,
      embodiedG: c.embodiedG,
      energyJ: c.energyJ,
    });
    return true;
  }

  get size(): number {
    return this.entries.length;
  }

  report(sinceS: number, now = Date.now()): ReportResponse {
    const from = sinceS > 0 ? now - sinceS * 1000 : 0;
    const rows = new Map<string, ReportRow>();
    let events = 0;
    let windowStart = Infinity;
    let windowEnd = 0;
    for (const { event, operationalG, embodiedG, energyJ } of this.entries) {
      if (event.windowEndMs < from) continue;
      events++;
      windowStart = Math.min(windowStart, event.windowStartMs);
      windowEnd = Math.max(windowEnd, event.windowEndMs);
      const key = `${event.service}\u0000${event.backend}\u0000${event.model}`;
      const row = rows.get(key) ?? {
        service: event.service,
        backend: event.backend,
        model: event.model,
        queries: 0,
        busyS: 0,
        energyJ: 0,
        operationalG: 0,
        embodiedG: 0,
        gPerQuery: 0,
        energyMethod: event.energyMethod,
      };
      row.queries += event.queries;
      row.busyS += event.busyS;
      row.energyJ += energyJ;
      row.operationalG += operationalG;
      row.embodiedG += embodiedG;
      if (row.energyMethod !== event.energyMethod) row.energyMethod = 'mixed';
      rows.set(key, row);
    }
    const list = [...rows.values()].sort(
      (a, b) => a.service.localeCompare(b.service) || a.model.localeCompare(b.model),
    );
    for (const r of list)
      r.gPerQuery = r.queries > 0 ? (r.operationalG + r.embodiedG) / r.queries : 0;
    const totalG = list.reduce((s, r) => s + r.operationalG + r.embodiedG, 0);
    // R (one ranked query) is counted where queries are answered: at the orchestrators.
    const queries = list
      .filter((r) => r.service === 'orchestrator')
      .reduce((s, r) => s + r.queries, 0);
    return {
      rows: list,
      events,
      totalG,
      queries,
      gPerQuery: queries > 0 ? totalG / queries : 0,
      boundary:
        'compute of recmesh services (orchestrator, embedding shards, dense workers): busy core-seconds on the host, embodied share of the host; network and idle capacity excluded',
      factorsSource: `${this.site.source}; machine ${this.machine.name}; grid ${this.site.gridGPerKwh} gCO2e/kWh (${this.site.region}), PUE ${this.site.pue}`,
      windowStartMs: Number.isFinite(windowStart) ? windowStart : 0,
      windowEndMs: windowEnd,
    };
  }
}
