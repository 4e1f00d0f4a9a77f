import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dotPairs } from '../src/index';

describe('dense graph pieces', () => {
  it('dot pairs follow the DLRM reference order (i outer, j < i inner)', () => {
    // T = 2 tables: vectors [x, e0, e1]; pairs (1,0), (2,0), (2,1) in a 3x3 matrix.
    assert.deepEqual(dotPairs(2), [3, 6, 7]);
    assert.equal(dotPairs(26).length, (27 * 26) / 2);
  });
});
