import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fixedSizes,
  lognormalSizes,
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
