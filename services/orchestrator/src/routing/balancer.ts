import type { Announcement } from '@recmesh/bus';

/**
 * Least outstanding calls first; ties go round-robin so equal replicas share the load. A replica
 * that lost a hedge (it had not answered when another replica did) is demoted for a while: it is
 * picked only when no other replica is left, so a host that went silent stops getting new calls
 * before its connection is declared dead. It also remembers when each replica last answered, which
 * tells a busy replica (answering other calls) from a silent one.
 */
export class Balancer {
  private readonly outstanding = new Map<string, number>();
  private readonly demotedUntil = new Map<string, number>();
  private readonly lastAnswer = new Map<string, number>();
  private turn = 0;

  /** `now`: the clock of demotions and answers (ms). */
  constructor(readonly now: () => number = Date.now) {}

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

  /** `id` answered a call: it is alive, and a full candidate again. */
  answered(id: string): void {
    this.demotedUntil.delete(id);
    this.lastAnswer.set(id, this.now());
  }

  /** Whether `id` answered any call at or after `since` (it is busy, not gone). */
  answeredSince(id: string, since: number): boolean {
    return (this.lastAnswer.get(id) ?? -Infinity) >= since;
  }
}
