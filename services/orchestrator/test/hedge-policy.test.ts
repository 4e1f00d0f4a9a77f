import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEDGE, HedgePolicy } from '../src/routing/hedge-policy';

describe('HedgePolicy', () => {
  it('waits the initial delay until a target has enough samples', () => {
    const policy = new HedgePolicy();
    assert.equal(policy.delayMs('group:a'), DEFAULT_HEDGE.initialDelayMs);
    for (let i = 0; i < DEFAULT_HEDGE.minSamples - 1; i++) policy.record('group:a', 50);
    assert.equal(policy.delayMs('group:a'), DEFAULT_HEDGE.initialDelayMs);
  });

  it('hedges at the 95th percentile of the last window of latencies, per target', () => {
    const policy = new HedgePolicy({ ...DEFAULT_HEDGE, minDelayMs: 0 });
    // 1..100 ms: the 95th percentile is 95 ms.
    for (let ms = 1; ms <= 100; ms++) policy.record('group:a', ms);
    assert.equal(policy.delayMs('group:a'), 95);
    assert.equal(policy.delayMs('group:b'), DEFAULT_HEDGE.initialDelayMs);
    // The window keeps the last 128: after 128 samples of 2 ms the old ones are gone.
    for (let i = 0; i < DEFAULT_HEDGE.window; i++) policy.record('group:a', 2);
    assert.equal(policy.delayMs('group:a'), 2);
  });

  it('never hedges sooner than minDelayMs', () => {
    const policy = new HedgePolicy({ ...DEFAULT_HEDGE, minDelayMs: 10 });
    for (let i = 0; i < 50; i++) policy.record('t', 1);
    assert.equal(policy.delayMs('t'), 10);
  });

  it('spends at most the burst at once, then earns budget per first attempt', () => {
    const policy = new HedgePolicy({ ...DEFAULT_HEDGE, budget: 0.1, burst: 3 });
    assert.equal([1, 2, 3, 4].filter(() => policy.tryHedge()).length, 3);
    for (let i = 0; i < 9; i++) policy.onAttempt();
    assert.equal(policy.tryHedge(), false, '0.9 tokens is not a hedge');
    policy.onAttempt();
    assert.equal(policy.tryHedge(), true, '10 attempts at 0.1 earn one hedge');
    for (let i = 0; i < 1000; i++) policy.onAttempt();
    assert.equal([1, 2, 3, 4].filter(() => policy.tryHedge()).length, 3, 'capped at the burst');
  });

  it('is off with a zero budget', () => {
    const policy = new HedgePolicy({ ...DEFAULT_HEDGE, budget: 0 });
    assert.equal(policy.enabled, false);
    assert.equal(policy.tryHedge(), false);
  });
});
