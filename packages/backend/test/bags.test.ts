import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceGatherReduce, validateBags } from '../src/index';

describe('validateBags', () => {
  const ok = (rows: number, idx: number[], off: number[], w?: number[]) =>
    validateBags(
      't',
      rows,
      Int32Array.from(idx),
      Int32Array.from(off),
      w === undefined ? undefined : Float32Array.from(w),
    );

  it('accepts empty bags, repeated and last-row indices', () => {
    ok(5, [4, 4, 0], [0, 0, 2, 3]);
    ok(1, [], [0, 0]);
  });

  it('names the field and value at fault', () => {
    assert.throws(() => ok(5, [1], [1]), /t\.offsets\[0\] = 1: the first bag must start at 0/);
    assert.throws(() => ok(5, [1, 2], [0, 2, 1]), /t\.offsets\[2\] = 1: offsets must not decrease/);
    assert.throws(
      () => ok(5, [1, 2], [0, 3]),
      /t\.offsets\[1\] = 3: past the end of the 2 indices/,
    );
    assert.throws(() => ok(5, [1, 5], [0]), /t\.indices\[1\] = 5: outside the table's 5 rows/);
    assert.throws(() => ok(5, [-1], [0]), /t\.indices\[0\] = -1/);
    assert.throws(() => ok(5, [1], []), /t\.offsets = \[\]: no bags, but 1 indices/);
    assert.throws(
      () => ok(5, [1, 2], [0], [1]),
      /t\.weights = "1 weights": must match the 2 indices/,
    );
  });
});

describe('referenceGatherReduce', () => {
  // 3 rows x 2: row r = [r, 10 r]
  const data = Float32Array.of(0, 0, 1, 10, 2, 20);
  const run = (idx: number[], off: number[], mode: 'sum' | 'mean', w?: number[]) => {
    const out = new Float32Array(off.length * 2).fill(99);
    referenceGatherReduce(
      { dtype: 'fp32', rows: 3, dim: 2, data },
      {
        indices: Int32Array.from(idx),
        offsets: Int32Array.from(off),
        mode,
        ...(w === undefined ? {} : { weights: Float32Array.from(w) }),
      },
      out,
    );
    return [...out];
  };

  it('sums, averages and weights bags; empty bags pool to zeros', () => {
    assert.deepEqual(run([1, 2, 2], [0, 2, 3], 'sum'), [3, 30, 2, 20, 0, 0]);
    assert.deepEqual(run([1, 2, 2], [0, 2, 3], 'mean'), [1.5, 15, 2, 20, 0, 0]);
    assert.deepEqual(run([1, 2], [0], 'sum', [2, 0.5]), [3, 30]);
  });
});
