import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bagOffsets, isOneHot } from '../src/index';

const i32 = (...v: number[]) => Int32Array.from(v);

describe('Bags on the wire: offsets left off for one index per bag', () => {
  it('restores one bag per index when offsets are empty and indices are not', () => {
    assert.deepEqual([...bagOffsets(i32(7, 3, 9), i32())], [0, 1, 2]);
  });

  it('keeps offsets that are given, and no indices without offsets as no bags', () => {
    const given = i32(0, 0, 2);
    assert.equal(bagOffsets(i32(4, 5), given), given);
    assert.deepEqual([...bagOffsets(i32(), i32())], []);
    // One empty bag keeps its offset: it is not one index per bag.
    assert.deepEqual([...bagOffsets(i32(), i32(0))], [0]);
  });

  it('calls one-hot only offsets 0, 1, 2, ... over as many indices', () => {
    assert.equal(isOneHot(i32(5, 6, 7), i32(0, 1, 2)), true);
    assert.equal(isOneHot(i32(5), i32(0)), true);
    // As many bags as indices, but one empty and one of two.
    assert.equal(isOneHot(i32(5, 6, 7), i32(0, 0, 1)), false);
    assert.equal(isOneHot(i32(5, 6, 7), i32(0, 1)), false);
    assert.equal(isOneHot(i32(), i32(0)), false);
    assert.equal(isOneHot(i32(), i32()), false);
  });

  it('round-trips: one-hot offsets left off come back the same', () => {
    const indices = i32(11, 12, 13, 14);
    const offsets = i32(0, 1, 2, 3);
    const sent = isOneHot(indices, offsets) ? i32() : offsets;
    assert.deepEqual(bagOffsets(indices, sent), offsets);
  });
});
