import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findMaxLoad,
  fixedSizes,
  lognormalSizes,
  passes,
  productionSizes,
  quantileCi,
  quantileSorted,
  Rng,
  runOpenLoop,
  summarize,
} from '../src/index';

describe('seeded generator', () => {
  it('repeats a stream for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(
      xs,
      Array.from({ length: 5 }, () => b.next()),
    );
    assert.notDeepEqual(
      xs,
      Array.from({ length: 5 }, () => c.next()),
    );
  });

  it('has the right moments (fixed seed, 200k draws)', () => {
    const rng = new Rng(7);
    const n = 200_000;
    let u = 0;
    let e = 0;
    let z = 0;
    let z2 = 0;
    for (let i = 0; i < n; i++) {
      u += rng.next();
      e += rng.exponential(4);
      const g = rng.normal();
      z += g;
      z2 += g * g;
    }
    assert.ok(Math.abs(u / n - 0.5) < 0.005);
    assert.ok(Math.abs(e / n - 0.25) < 0.005, `exponential mean ${e / n}`);
    assert.ok(Math.abs(z / n) < 0.01);
    assert.ok(Math.abs(z2 / n - 1) < 0.02);
  });
});

describe('query sizes', () => {
  it('lognormal sizes have the requested mean and stay in [1, max]', () => {
    const sizes = lognormalSizes(100, 0.8, 100_000);
    const rng = new Rng(1);
    let sum = 0;
    let min = Infinity;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const s = sizes.sample(rng);
      sum += s;
      min = Math.min(min, s);
    }
    assert.ok(Math.abs(sum / n / 100 - 1) < 0.02, `mean ${sum / n}`);
    assert.ok(min >= 1);
    const clipped = lognormalSizes(100, 2, 50);
    for (let i = 0; i < 1000; i++) assert.ok(clipped.sample(rng) <= 50);
  });

  it('refuse impossible parameters', () => {
    assert.throws(() => lognormalSizes(0, 1, 10), /mean = 0/);
    assert.throws(() => fixedSizes(0), /size = 0/);
  });
});

describe('latency statistics', () => {
  it('nearest-rank quantiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(quantileSorted(sorted, 0.95), 95);
    assert.equal(quantileSorted(sorted, 0.5), 50);
    assert.equal(quantileSorted(sorted, 1), 100);
    const s = summarize([5, 1, 3]);
    assert.equal(s.p50, 3);
    assert.equal(s.max, 5);
    assert.equal(s.count, 3);
  });
});

describe('open-loop load', () => {
  it('sends Poisson arrivals at the rate and counts latency from the scheduled time', async () => {
    let sent = 0;
    const result = await runOpenLoop({
      rate: 200,
      durationS: 1,
      sizes: fixedSizes(3),
      seed: 5,
      send: async () => {
        sent++;
        // A server that stalls every 50th query for 30 ms: its latency must show the stall.
        if (sent % 50 === 0) await new Promise((r) => setTimeout(r, 30));
      },
    });
    assert.ok(result.sent > 150 && result.sent < 250, `sent ${result.sent}`);
    assert.equal(result.errors, 0);
    assert.equal(result.items, result.completed * 3);
    assert.ok(result.latencyMs.max >= 30);
  });

  it('counts failures by code', async () => {
    const result = await runOpenLoop({
      rate: 100,
      durationS: 0.3,
      sizes: fixedSizes(1),
      seed: 1,
      send: () => Promise.reject(Object.assign(new Error('x'), { code: 14 })),
    });
    assert.equal(result.completed, 0);
    assert.equal(result.errorsByCode['14'], result.errors);
  });
});

describe('production-like query sizes', () => {
  it('hold about half the items in the largest quarter, with a tail heavier than lognormal', () => {
    const draw = (sizes: ReturnType<typeof lognormalSizes>) => {
      const rng = new Rng(3);
      return Float64Array.from({ length: 200_000 }, () => sizes.sample(rng)).sort();
    };
    const prod = draw(productionSizes(100, 1000));
    const total = prod.reduce((a, b) => a + b, 0);
    const top = prod.subarray(prod.length * 0.75).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(top / total - 0.5) < 0.03, `top quarter holds ${top / total}`);
    assert.ok(Math.abs(total / prod.length / 100 - 1) < 0.05, `mean ${total / prod.length}`);
    const logn = draw(lognormalSizes(100, 0.67, 1000));
    const tail = (x: Float64Array) => quantileSorted(x, 0.99) / quantileSorted(x, 0.5);
    assert.ok(tail(prod) > 1.3 * tail(logn), `p99/p50 ${tail(prod)} vs lognormal ${tail(logn)}`);
  });
});

describe('max-load search', () => {
  it('finds a known capacity to within its resolution', async () => {
    // An M/M/1-like server: p95 = 10 ms / (1 - rate / 200); it meets 50 ms up to 160 qps.
    const result = await findMaxLoad({
      targetP95Ms: 50,
      startRate: 7,
      probe: (rate) => {
        const p95 = rate >= 200 ? Infinity : 10 / (1 - rate / 200);
        return Promise.resolve({
          rate,
          completed: 500,
          errors: 0,
          p95Ms: p95,
          p99Ms: p95 * 1.5,
          p95Ci: [p95, p95],
          achievedQps: rate,
        });
      },
    });
    assert.equal(result.stop, 'resolution');
    assert.ok(
      result.qpsAtTarget <= 160 && result.qpsAtTarget >= 160 / 1.1,
      `found ${result.qpsAtTarget}`,
    );
    assert.ok((result.failedAt ?? 0) > 160);
  });

  it('probes a rate again after a miss that is not significant, and goes on from its verdict', async () => {
    const seen = new Map<number, number>();
    const result = await findMaxLoad({
      targetP95Ms: 50,
      startRate: 7,
      probe: (rate) => {
        const n = (seen.get(rate) ?? 0) + 1;
        seen.set(rate, n);
        const p95 = rate >= 200 ? Infinity : 10 / (1 - rate / 200);
        // The first probe at 56/s is unlucky: a miss, but its interval holds the target.
        const unlucky = rate === 56 && n === 1;
        return Promise.resolve({
          rate,
          completed: 200,
          errors: 0,
          p95Ms: unlucky ? 55 : p95,
          p99Ms: p95 * 1.5,
          p95Ci: unlucky ? [45, 70] : [p95, p95],
          achievedQps: rate,
        });
      },
    });
    assert.equal(seen.get(56), 2, 'the unlucky rate was probed twice');
    assert.ok(result.qpsAtTarget >= 160 / 1.1, `found ${result.qpsAtTarget}`);
  });

  it('counts a probe with errors as a miss', async () => {
    const probe = {
      rate: 1,
      completed: 90,
      errors: 10,
      p95Ms: 1,
      p99Ms: 1,
      p95Ci: [1, 1] as const,
      achievedQps: 1,
    };
    assert.equal(passes(probe, 50), false);
  });

  it('the p95 confidence interval covers the true p95 about 95% of the time', async () => {
    const rng = new Rng(11);
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const sample = Float64Array.from({ length: 300 }, () => rng.next()).sort();
      const [lo, hi] = quantileCi(sample, 0.95);
      if (lo <= 0.95 && 0.95 <= hi) covered++;
    }
    assert.ok(covered / trials > 0.9 && covered / trials <= 1, `coverage ${covered / trials}`);
  });
});

describe('max-load search, unreachable targets', () => {
  it('stops when the target is missed even at the lowest loads, instead of halving forever', async () => {
    let probes = 0;
    const result = await findMaxLoad({
      targetP95Ms: 50,
      startRate: 10,
      probe: (rate) => {
        probes++;
        // The queries themselves take 70 ms: no load is light enough.
        const p95 = 70 + rate;
        return Promise.resolve({
          rate,
          completed: 200,
          errors: 0,
          p95Ms: p95,
          p99Ms: p95,
          p95Ci: [p95, p95],
          achievedQps: rate,
        });
      },
    });
    assert.equal(result.stop, 'unreachable');
    assert.equal(result.qpsAtTarget, 0);
    assert.ok(probes <= 5, `${probes} probes`);
  });
});
