import type { Announcement } from '@recmesh/bus';

/** Replica sets whose turn is remembered; past this the memory starts over. */
const MAX_TURNS = 1024;

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
  /**
   * Where the next pick among each set of replicas starts (keyed by their ids), so that idle
   * replicas of a group take turns: one counter shared by every group and pool would advance by
   * the other groups' picks too, and with two groups picked alternately it sent every call of a
   * group to the same replica.
   */
  private readonly turns = new Map<string, number>();

  /** `now`: the clock of demotions and answers (ms). */
  constructor(readonly now: () => number = Date.now) {}

  pick(peers: readonly Announcement[], exclude?: ReadonlySet<string>): Announcement | undefined {
    let best: Announcement | undefined;
    let bestScore = Infinity;
    const n = peers.length;
    const now = this.now();
    const key = peers.map((p) => p.id).join('\n');
    const turn = ((this.turns.get(key) ?? -1) + 1) % Math.max(n, 1);
    // Replica sets change with membership; the map holds one entry per set seen lately.
    if (!this.turns.has(key) && this.turns.size >= MAX_TURNS) this.turns.clear();
    this.turns.set(key, turn);
    for (let k = 0; k < n; k++) {
      const p = peers[(turn + k) % n] as Announcement;
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
