import type { Announcement } from '@recmesh/bus';
import type { ModelSpec } from '@recmesh/models';
import type { PeerSource } from './peer-source';

/** Rows [rowStart, rowEnd) of a table, held by every replica of `group`. */
export interface Route {
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly group: string;
}

interface ModelRoutes {
  /** Per table, the partitions that cover it, in row order; undefined where rows are uncovered. */
  readonly tables: (readonly Route[] | undefined)[];
  readonly problem: string | undefined;
}

/**
 * Where every table partition and every model's dense graph can be served, from the live peers.
 * Rebuilt whenever a peer source changes; queries read the current snapshot.
 */
export class Router {
  private groups = new Map<string, Announcement[]>();
  private workersByModel = new Map<string, Announcement[]>();
  private accelByModel = new Map<string, Announcement[]>();
  private routes = new Map<string, ModelRoutes>();

  constructor(
    private readonly sources: readonly PeerSource[],
    private readonly models: readonly ModelSpec[],
  ) {
    for (const s of sources) s.on('change', () => this.rebuild());
    this.rebuild();
  }

  rebuild(): void {
    const shards = this.sources.flatMap((s) => s.list('embedding-shard')).filter((a) => a.ready);
    const workers = this.sources.flatMap((s) => s.list('dense-worker')).filter((a) => a.ready);
    const groups = new Map<string, Announcement[]>();
    for (const a of shards) {
      const key = a.group ?? a.id;
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    const workersByModel = new Map<string, Announcement[]>();
    const accelByModel = new Map<string, Announcement[]>();
    for (const w of workers) {
      const byModel = w.pool === 'accel' ? accelByModel : workersByModel;
      for (const m of w.models) byModel.set(m, [...(byModel.get(m) ?? []), w]);
    }

    const routes = new Map<string, ModelRoutes>();
    for (const spec of this.models) {
      // Candidate partitions per table, from one replica of each group (replicas hold the same).
      const candidates = spec.tables.map(() => [] as Route[]);
      for (const [group, replicas] of groups) {
        for (const p of replicas[0]?.partitions ?? []) {
          if (p.model === spec.name)
            candidates[p.table]?.push({ rowStart: p.rowStart, rowEnd: p.rowEnd, group });
        }
      }
      let problem: string | undefined;
      const tables = spec.tables.map((t, table) => {
        const cover = coverRows(candidates[table] ?? [], t.rows);
        if (cover === undefined)
          problem ??= `no live embedding shard holds rows of ${spec.name} table ${table} (${t.rows} rows)`;
        return cover;
      });
      const anyWorker =
        (workersByModel.get(spec.name)?.length ?? 0) + (accelByModel.get(spec.name)?.length ?? 0);
      if (problem === undefined && anyWorker === 0) {
        problem = `no live dense worker serves ${spec.name}`;
      }
      routes.set(spec.name, { tables, problem });
    }
    this.groups = groups;
    this.workersByModel = workersByModel;
    this.accelByModel = accelByModel;
    this.routes = routes;
  }

  /** Partitions covering a table, in row order; undefined when some rows have no live shard. */
  tableRoutes(model: string, table: number): readonly Route[] | undefined {
    return this.routes.get(model)?.tables[table];
  }

  replicas(group: string): readonly Announcement[] {
    return this.groups.get(group) ?? [];
  }

  /**
   * Live dense workers of `model` in a pool: `cpu`, or `accel` (the accelerator pool). A pool with
   * no worker borrows the other's, so every query is served while any worker lives.
   */
  workers(model: string, pool: 'cpu' | 'accel' = 'cpu'): readonly Announcement[] {
    const [own, other] =
      pool === 'cpu'
        ? [this.workersByModel, this.accelByModel]
        : [this.accelByModel, this.workersByModel];
    const list = own.get(model) ?? [];
    return list.length > 0 ? list : (other.get(model) ?? []);
  }

  /** Whether an accelerator pool serves `model`. */
  hasAccelerator(model: string): boolean {
    return (this.accelByModel.get(model)?.length ?? 0) > 0;
  }

  /** Why `model` cannot be served now, or undefined when it can. */
  problem(model: string): string | undefined {
    const routes = this.routes.get(model);
    return routes === undefined ? `model ${model} is not served` : routes.problem;
  }

  evict(id: string): void {
    for (const s of this.sources) s.evict(id);
  }
}

/**
 * A gap-free, overlap-free chain of partitions over [0, rows), taking at each step the candidate
 * that starts where the last ended and reaches furthest; undefined if rows stay uncovered.
 */
export function coverRows(candidates: readonly Route[], rows: number): Route[] | undefined {
  const out: Route[] = [];
  let next = 0;
  while (next < rows) {
    let best: Route | undefined;
    for (const c of candidates)
      if (c.rowStart === next && (best === undefined || c.rowEnd > best.rowEnd)) best = c;
    if (best === undefined) return undefined;
    out.push(best);
    next = best.rowEnd;
  }
  return out;
}
