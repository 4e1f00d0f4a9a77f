/**
 * Hill climbing over an ordered list of candidates (batch sizes, offload thresholds) with a noisy
 * objective to minimise, as DeepRecSched does: measure the current candidate, step to the next
 * one up while it improves by more than `margin` (crossing a plateau of one step within the
 * margin), then try the other direction from the best, and stop when neither direction
 * improves.
 */
export class HillClimber {
  private bestIndex: number;
  /** The best candidate's score (Infinity before the first report). */
  bestScore = Infinity;
  private index: number;
  private direction: 1 | -1 = 1;
  private triedDown = false;
  done = false;

  constructor(
    private readonly candidates: readonly number[],
    start: number,
    /**
     * Relative improvement needed to move (noise guard), default 10%: the p95 of a window of
     * 64 queries varies by about that much between windows of one configuration here.
     */
    private readonly margin = 0.1,
    /** Steps taken past the best across a plateau (within the margin) before turning. */
    private readonly plateauSteps = 1,
  ) {
    if (candidates.length === 0) throw new RangeError('no candidates');
    const i = candidates.indexOf(start);
    this.index = i >= 0 ? i : nearestIndex(candidates, start);
    this.bestIndex = this.index;
  }

  /** The candidate to run now. */
  current(): number {
    return this.candidates[this.index] as number;
  }

  best(): number {
    return this.candidates[this.bestIndex] as number;
  }

  /** The objective measured with `current()`; lower is better. */
  report(score: number): void {
    if (this.done) return;
    if (this.bestScore === Infinity) {
      this.bestScore = score;
    } else if (score < this.bestScore * (1 - this.margin)) {
      this.bestIndex = this.index;
      this.bestScore = score;
    } else if (this.onPlateau(score)) {
      // Neither better nor worse by the margin: a plateau, which a climb with a noise guard
      // would stop on. Look one step further before turning (the best stays where it is).
    } else if (this.direction === 1 && !this.triedDown) {
      // Going up did not help: try going down from the best.
      this.direction = -1;
      this.triedDown = true;
      this.index = this.bestIndex;
    } else {
      this.finish();
      return;
    }
    const next = this.index + this.direction;
    if (next < 0 || next >= this.candidates.length) {
      if (this.direction === 1 && !this.triedDown && this.bestIndex > 0) {
        this.direction = -1;
        this.triedDown = true;
        this.index = this.bestIndex - 1;
        return;
      }
      this.finish();
      return;
    }
    this.index = next;
  }

  /** Within the margin of the best, 1 to `plateauSteps` steps past it: a plateau to cross. */
  private onPlateau(score: number): boolean {
    const past = Math.abs(this.index - this.bestIndex);
    return past > 0 && past <= this.plateauSteps && score <= this.bestScore * (1 + this.margin);
  }

  private finish(): void {
    this.done = true;
    this.index = this.bestIndex;
  }
}

function nearestIndex(candidates: readonly number[], value: number): number {
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    if (
      Math.abs((candidates[i] as number) - value) < Math.abs((candidates[best] as number) - value)
    )
      best = i;
  }
  return best;
}
