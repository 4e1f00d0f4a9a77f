import type { Announcement } from '@recmesh/bus';

/**
 * Least outstanding calls first; ties go round-robin so equal replicas share the load. A replica
 * that lost a hedge (it had not answered when another replica did) is demoted for a while: it is
 * picked only when no other replica is left, so a host that went silent stops getting new calls
 * before its connection is declared dead.
 */
export class Balancer {
  private readonly outstanding = new Map<string, number>();
  private readonly demotedUntil = new Map<string, number>();
  private turn = 0;

  constructor(private readonly now: () => number = Date.now) {}

  pick(peers: readonly Announcement[], exclude?: ReadonlySet<string>): Announcement | undefined {
    let best: Announcement | undefined;
    let bestScore = Infinity;
    const n = peers.length;
    const now = this.now();
    this.turn = (this.turn + 1) % Math.max(n, 1);
    for (let k = 0; k < n; k++) {
      const p = peers[(this.turn + k) % n] as Announcement;
      if (exclude?.has(p.id) === true) continue;
      const demoted = (this.demotedUntil.get(p.id) ?? 0) > now;
      const score = (this.outstanding.get(p.id) ?? 0) + (demoted ? 1e9 : 0);
      if (score < bestScore) {
        best = p;
        bestScore = score;
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

  /** Picks `id` last for `ms`. */
  demote(id: string, ms: number): void {
    this.demotedUntil.set(id, this.now() + ms);
  }

  /** `id` answered: it is a full candidate again. */
  restore(id: string): void {
    this.demotedUntil.delete(id);
  }
}
