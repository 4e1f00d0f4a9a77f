import type { VersionsInUse } from '@recmesh/bus';

/**
 * Queries in flight per model version. Each query is pinned to the version it started with; the
 * orchestrator announces the versions it still uses (the current ones and any with queries in
 * flight) so that shards and workers keep a retiring version until its last query is done.
 */
export class VersionPins {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly current: () => readonly [string, number | undefined][],
    /** A version other than the current one gained its first query or lost its last. */
    private readonly onChange: () => void,
  ) {}

  /** Counts a query on `model` at `version`; call the returned function when it is done. */
  pin(model: string, version: number): () => void {
    const key = `${model}@${version}`;
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    const isCurrent = () => this.current().some(([m, v]) => m === model && v === version);
    if (n === 0 && !isCurrent()) this.onChange();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else {
        this.counts.delete(key);
        if (!isCurrent()) this.onChange();
      }
    };
  }

  /** Per model, the current version and every version with a query in flight. */
  inUse(): VersionsInUse[] {
    const byModel = new Map<string, Set<number>>();
    for (const [model, version] of this.current())
      if (version !== undefined) byModel.set(model, new Set([version]));
    for (const key of this.counts.keys()) {
      const at = key.lastIndexOf('@');
      const model = key.slice(0, at);
      const set = byModel.get(model) ?? new Set<number>();
      set.add(Number(key.slice(at + 1)));
      byModel.set(model, set);
    }
    return [...byModel].map(([model, versions]) => ({
      model,
      versions: [...versions].sort((a, b) => a - b),
    }));
  }
}
