import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asF32, asI32, asU64, bytesOf } from '../src/index';

describe('tensor bytes', () => {
  it('views aligned bytes without copying', () => {
    const f = Float32Array.of(1.5, -2, 3.25);
    const bytes = bytesOf(f);
    const view = asF32(bytes);
    assert.deepEqual([...view], [1.5, -2, 3.25]);
    f[0] = 7;
    assert.equal(view[0], 7, 'same memory');
  });

  it('copies unaligned bytes once and reads them right', () => {
    const backing = new Uint8Array(13);
    const unaligned = backing.subarray(1);
    new DataView(unaligned.buffer, 1).setInt32(0, -42, true);
    new DataView(unaligned.buffer, 1).setInt32(4, 7, true);
    assert.deepEqual([...asI32(unaligned.subarray(0, 8))], [-42, 7]);
  });

  it('refuses a byte count that is not a whole number of elements, naming the field', () => {
    assert.throws(
      () => asF32(new Uint8Array(6), 'user.dense'),
      /user\.dense: 6 bytes is not a whole number of 4-byte elements/,
    );
  });

  it('reads uint64 ids', () => {
    const ids = BigUint64Array.of(2n ** 63n + 5n, 1n);
    assert.deepEqual([...asU64(bytesOf(ids))], [2n ** 63n + 5n, 1n]);
  });
});
