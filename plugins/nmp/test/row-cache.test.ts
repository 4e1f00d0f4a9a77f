// The RankCache on its own: LRU and FIFO replacement, rows of several lines, and pins that
// belong to a batch and end with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RowCache } from '../src/model/row-cache';

describe('RowCache', () => {
  it('lru evicts the least recently used row; a hit renews a row', () => {
    const c = new RowCache(3, 'lru');
    for (const k of [1, 2, 3]) assert.ok(c.insert(k, 1));
    assert.ok(c.lookup(1));
    assert.ok(c.insert(4, 1)); // evicts 2
    assert.equal(c.lookup(2), false);
    assert.ok(c.lookup(1) && c.lookup(3) && c.lookup(4));
  });

  it('fifo evicts the oldest row whatever its hits', () => {
    const c = new RowCache(3, 'fifo');
    for (const k of [1, 2, 3]) c.insert(k, 1);
    assert.ok(c.lookup(1));
    c.insert(4, 1); // evicts 1
    assert.equal(c.lookup(1), false);
    assert.ok(c.lookup(2));
  });

  it('a row of several lines takes its lines; one bigger than the cache bypasses it', () => {
    const c = new RowCache(8, 'lru');
    assert.ok(c.insert(1, 4));
    assert.ok(c.insert(2, 4));
    assert.equal(c.lines, 8);
    assert.ok(c.insert(3, 2)); // evicts 1 (4 lines)
    assert.equal(c.lines, 6);
    assert.equal(c.lookup(1), false);
    assert.equal(c.insert(9, 9), false);
  });

  it('pinned rows stay until their batch ends; a full pinned cache lets new rows bypass', () => {
    const c = new RowCache(2, 'lru');
    assert.ok(c.insert(1, 1, 0));
    assert.ok(c.insert(2, 1, 1));
    assert.equal(c.insert(3, 1), false); // everything is pinned
    assert.ok(c.lookup(1) && c.lookup(2));
    c.unpin(0); // batch 0 is over: row 1 may go
    assert.ok(c.insert(3, 1));
    assert.equal(c.lookup(1), false);
    assert.ok(c.lookup(2) && c.lookup(3));
    c.unpin(); // row 2 comes back as the most recently used row
    assert.ok(c.insert(4, 1));
    assert.equal(c.lookup(3), false);
    assert.ok(c.lookup(2));
  });

  it('a hot hit passes a pinned row to the later batch', () => {
    const c = new RowCache(2, 'lru');
    c.insert(1, 1, 0);
    assert.ok(c.lookup(1, 1));
    c.unpin(0);
    c.insert(2, 1);
    assert.equal(c.insert(3, 1), true); // evicts 2, not the row batch 1 holds
    assert.ok(c.lookup(1));
  });

  it('off caches nothing', () => {
    const c = new RowCache(16, 'off');
    assert.equal(c.insert(1, 1), false);
    assert.equal(c.lookup(1), false);
  });
});
