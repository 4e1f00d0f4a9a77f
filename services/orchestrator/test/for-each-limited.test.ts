import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachLimited } from '../src/rank/for-each-limited';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('forEachLimited (the batches of one query in flight)', () => {
  it('runs every index once, in order of start, never more than the limit at once', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    await forEachLimited(20, 3, async (i) => {
      started.push(i);
      most = Math.max(most, ++running);
      await tick(i % 4);
      running--;
    });
    assert.deepEqual(
      started,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(most, 3);
  });

  it('runs all at once when the limit is above the count, and nothing for none', async () => {
    let running = 0;
    let most = 0;
    await forEachLimited(4, 16, async () => {
      most = Math.max(most, ++running);
      await tick(2);
      running--;
    });
    assert.equal(most, 4);
    await forEachLimited(0, 16, () => Promise.reject(new Error('never called')));
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await assert.rejects(
      forEachLimited(10, 2, async (i) => {
        started.push(i);
        await tick(1);
        if (i === 3) throw new Error('batch 3 failed');
      }),
      /batch 3 failed/,
    );
    await tick(20);
    assert.ok(Math.max(...started) <= 4, `started ${started.join(',')}`);
  });
});
