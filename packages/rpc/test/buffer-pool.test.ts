import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool } from '../src/buffer-pool';

describe('BufferPool', () => {
  it('gives back the buffers it was given, by exact size', () => {
    const pool = new BufferPool(1 << 20);
    const a = pool.take(64 * 1024);
    assert.equal(a.length, 64 * 1024);
    pool.give(a);
    assert.equal(pool.held(), 64 * 1024);
    assert.notEqual(pool.take(32 * 1024), a, 'another size is a fresh buffer');
    assert.equal(pool.take(64 * 1024), a);
    assert.equal(pool.held(), 0);
    assert.notEqual(pool.take(64 * 1024), a, 'taken: not handed out twice');
  });

  it('keeps a few of each size, at most maxBytes, dropping the size given back longest ago', () => {
    const size = 100_000;
    const pool = new BufferPool(3 * size + 10, 2);
    const same = [0, 1, 2].map(() => Buffer.allocUnsafe(size));
    for (const b of same) pool.give(b);
    assert.equal(pool.held(), 2 * size, 'two of a size');
    const [a, b, c] = [1, 2, 3].map((k) => Buffer.allocUnsafe(size + k)) as [
      Buffer,
      Buffer,
      Buffer,
    ];
    pool.give(a);
    pool.give(b);
    // Over the limit: the first size (two buffers) goes, the later sizes stay.
    assert.equal(pool.held(), 2 * size + 3);
    const taken = pool.take(size);
    assert.ok(!same.some((x) => x === taken), 'the oldest size was dropped');
    pool.give(c);
    assert.equal(pool.take(size + 1), a);
    assert.equal(pool.take(size + 2), b);
    assert.equal(pool.take(size + 3), c);
  });

  it("keeps no buffer that shares memory (a slice of Node's pool slab, a view)", () => {
    const pool = new BufferPool(1 << 20);
    pool.give(Buffer.allocUnsafe(100));
    pool.give(Buffer.allocUnsafe(200_000).subarray(8));
    assert.equal(pool.held(), 0);
  });
});
