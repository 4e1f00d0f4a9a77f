import type { Announcement } from '@recmesh/bus';
import type { ModelSpec } from '@recmesh/models';
import type { PeerSource } from './peer-source';

/** Rows [rowStart, rowEnd) of a table, held by every replica of `group`. */
export interface Route {
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly group: string;
}

/** Specs by model and version (the orchestrator's ModelCatalog). */
export interface SpecSource {
  names(): readonly string[];
  find(model: string, version: number): ModelSpec | undefined;
}

interface VersionRoutes {
  /** Per table, the partitions that cover it, in row order; undefined where rows are uncovered. */
  readonly tables: (readonly Route[] | undefined)[];
  readonly problem: string | undefined;
  /** Some holder marks it superseded. */
  readonly retiring: boolean;
  /** Every live shard and worker holding the model holds this version too. */
  readonly everywhere: boolean;
}

interface ModelRoutes {
  readonly versions: ReadonlyMap<number, VersionRoutes>;
  /** The version new queries run; undefined when none can be served. */
  readonly current: number | undefined;
  readonly problem: string | undefined;
}

const versionOf = (v: number | undefined) => v ?? 1;

/** Whether a worker holds `model` at `version` (announcements without versions hold 1). */
function workerHolds(w: Announcement, model: string, version?: number): boolean {
  if (w.modelVersions !== undefined)
    return w.modelVersions.some(
      (x) => x.model === model && (version === undefined || x.version === version),
    );
  return w.models.includes(model) && (version === undefined || version === 1);
}

/** Whether a worker holds the embedding tables of `model` at `version` (pools Predict's lookups). */
export function workerHoldsTables(w: Announcement, model: string, version: number): boolean {
  return (
    w.modelVersions?.some(
      (x) => x.model === model && x.version === version && x.tables === true,
    ) === true
  );
}

/**
 * Where every table partition and every model version's dense graph can be served, from the live
 * peers, and which version of each model new queries run. Rebuilt whenever a peer source
 * changes; queries read the current snapshot and keep the version they started with.
 *
 * The current version of a model is the newest one that can be served and that every live shard
 * and worker holding the model holds, not retiring anywhere (a new version takes over once it is
 * ready on all of them, as Triton and TF Serving switch only to a loaded version); failing that,
 * the newest servable one not retiring; failing that, the newest servable one.
 */
export class Router {
  private groups = new Map<string, Announcement[]>();
  private workerList: Announcement[] = [];
  private routes = new Map<string, ModelRoutes>();
  /** Versions announced that the spec source does not know (a rescan may find them). */
  unknownVersions = 0;

  constructor(
    private readonly sources: readonly PeerSource[],
    private readonly specs: SpecSource,
    private readonly onChange: () => void = () => undefined,
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
    let unknown = 0;
    const routes = new Map<string, ModelRoutes>();
    for (const model of this.specs.names()) {
      const held = new Set<number>();
      for (const s of shards)
        for (const p of s.partitions ?? []) if (p.model === model) held.add(versionOf(p.version));
      for (const w of workers) {
        if (w.modelVersions !== undefined) {
          for (const x of w.modelVersions) if (x.model === model) held.add(x.version);
        } else if (w.models.includes(model)) held.add(1);
      }
      const versions = new Map<number, VersionRoutes>();
      for (const version of held) {
        const spec = this.specs.find(model, version);
        if (spec === undefined) {
          unknown++;
          continue;
        }
        versions.set(version, this.versionRoutes(spec, groups, shards, workers));
      }
      const servable = [...versions].filter(([, r]) => r.problem === undefined).map(([v]) => v);
      const newest = (vs: number[]) => (vs.length === 0 ? undefined : Math.max(...vs));
      const notRetiring = servable.filter((v) => versions.get(v)?.retiring !== true);
      const current =
        newest(notRetiring.filter((v) => versions.get(v)?.everywhere === true)) ??
        newest(notRetiring) ??
        newest(servable);
      let problem: string | undefined;
      if (current === undefined) {
        const newestHeld = newest([...versions.keys()]);
        problem =
          newestHeld === undefined
            ? `no live embedding shard or dense worker holds ${model}`
            : versions.get(newestHeld)?.problem;
      }
      routes.set(model, { versions, current, problem });
    }
    const before = this.currentVersions();
    this.groups = groups;
    this.workerList = workers;
    this.routes = routes;
    this.unknownVersions = unknown;
    if (JSON.stringify(this.currentVersions()) !== JSON.stringify(before)) this.onChange();
  }

  private versionRoutes(
    spec: ModelSpec,
    groups: ReadonlyMap<string, Announcement[]>,
    shards: readonly Announcement[],
    workers: readonly Announcement[],
  ): VersionRoutes {
    const { name: model, version } = spec;
    const ofVersion = (p: { model: string; version?: number }) =>
      p.model === model && versionOf(p.version) === version;
    // Candidate partitions per table, from the replicas of each group that hold this version.
    const candidates = spec.tables.map(() => [] as Route[]);
    for (const [group, replicas] of groups) {
      const holder = replicas.find((r) => (r.partitions ?? []).some(ofVersion));
      for (const p of holder?.partitions ?? [])
        if (ofVersion(p))
          candidates[p.table]?.push({ rowStart: p.rowStart, rowEnd: p.rowEnd, group });
    }
    let problem: string | undefined;
    const tables = spec.tables.map((t, table) => {
      const cover = coverRows(candidates[table] ?? [], t.rows);
      if (cover === undefined)
        problem ??= `no live embedding shard holds rows of ${model} version ${version} table ${table} (${t.rows} rows)`;
      return cover;
    });
    const holders = workers.filter((w) => workerHolds(w, model, version));
    if (problem === undefined && holders.length === 0)
      problem = `no live dense worker serves ${model} version ${version}`;
    const retiring =
      shards.some((s) => (s.partitions ?? []).some((p) => ofVersion(p) && p.retiring === true)) ||
      holders.some(
        (w) =>
          w.modelVersions?.some(
            (x) => x.model === model && x.version === version && x.retiring === true,
          ) === true,
      );
    const everywhere =
      shards.every(
        (s) =>
          !(s.partitions ?? []).some((p) => p.model === model) ||
          (s.partitions ?? []).some(ofVersion),
      ) && workers.every((w) => !workerHolds(w, model) || workerHolds(w, model, version));
    return { tables, problem, retiring, everywhere };
  }

  /** The version of `model` new queries run, or undefined when none can be served. */
  current(model: string): number | undefined {
    return this.routes.get(model)?.current;
  }

  /** Every version of `model` some live shard or worker holds, oldest first. */
  versions(model: string): number[] {
    return [...(this.routes.get(model)?.versions.keys() ?? [])].sort((a, b) => a - b);
  }

  /** model -> current version, for change detection and announcements. */
  currentVersions(): [string, number | undefined][] {
    return [...this.routes].map(([m, r]) => [m, r.current]);
  }

  /** Partitions covering a table of a version, in row order; undefined when rows lack a shard. */
  tableRoutes(model: string, version: number, table: number): readonly Route[] | undefined {
    return this.routes.get(model)?.versions.get(version)?.tables[table];
  }

  /**
   * Replicas of a shard group; with a model and a version (not 0), only those holding that
   * version of the model (replicas of a group load a new version at their own pace).
   */
  replicas(group: string, model?: string, version?: number): readonly Announcement[] {
    const all = this.groups.get(group) ?? [];
    if (model === undefined || version === undefined || version === 0) return all;
    return all.filter((r) =>
      (r.partitions ?? []).some((p) => p.model === model && versionOf(p.version) === version),
    );
  }

  /**
   * Live dense workers holding `model` at `version` (0: any) in a pool: `cpu`, or `accel` (the
   * accelerator pool). A pool with no worker borrows the other's, so every query is served while
   * any worker lives.
   */
  workers(model: string, version = 0, pool: 'cpu' | 'accel' = 'cpu'): readonly Announcement[] {
    const holders = this.workerList.filter((w) =>
      workerHolds(w, model, version === 0 ? undefined : version),
    );
    const inPool = (p: 'cpu' | 'accel') =>
      holders.filter((w) => (w.pool === 'accel' ? 'accel' : 'cpu') === p);
    const own = inPool(pool);
    return own.length > 0 ? own : inPool(pool === 'cpu' ? 'accel' : 'cpu');
  }

  /**
   * Whether every live dense worker that would take a Predict of `model` at `version` in `pool`
   * holds the version's embedding tables (RECMESH_WORKER_TABLES_MAX_MB), so a query sends the
   * workers its sparse features and skips the shards. One worker without them (a rolling
   * deploy, a worker with a smaller limit), and the query pools through the shards as before.
   */
  workerTables(model: string, version: number, pool: 'cpu' | 'accel' = 'cpu'): boolean {
    const workers = this.workers(model, version, pool);
    return workers.length > 0 && workers.every((w) => workerHoldsTables(w, model, version));
  }

  /** Whether an accelerator pool serves `model`. */
  hasAccelerator(model: string): boolean {
    return this.workerList.some((w) => w.pool === 'accel' && workerHolds(w, model));
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
