import type { Announcement } from '@recmesh/bus';

/** Least outstanding calls first; ties go round-robin so equal replicas share the load. */
export class Balancer {
  private readonly outstanding = new Map<string, number>();
  private turn = 0;

  pick(peers: readonly Announcement[], exclude?: ReadonlySet<string>): Announcement | undefined {
    let best: Announcement | undefined;
    let bestLoad = Infinity;
    const n = peers.length;
    this.turn = (this.turn + 1) % Math.max(n, 1);
    for (let k = 0; k < n; k++) {
      const p = peers[(this.turn + k) % n] as Announcement;
      if (exclude?.has(p.id) === true) continue;
      const load = this.outstanding.get(p.id) ?? 0;
      if (load < bestLoad) {
        best = p;
        bestLoad = load;
      }
    }
    return best;
  }

  begin(id: string): void {
    this.outstanding.set(id, (this.outstanding.get(id) ?? 0) + 1);
  }

  end(id: string): void {
    const n = (this.outstanding.get(id) ?? 1) - 1;
    if (n <= 0) this.outstanding.delete(id);
    else this.outstanding.set(id, n);
  }
}
