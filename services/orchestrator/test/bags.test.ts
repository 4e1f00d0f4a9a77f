import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bagLengths, sliceBags, splitByRows } from '../src/rank/bags';
import { coverRows } from '../src/routing/router';
import { topK } from '@recmesh/model-repository';

const bags = (indices: number[], offsets: number[], weights?: number[]) => ({
  indices: Int32Array.from(indices),
  offsets: Int32Array.from(offsets),
  weights: weights === undefined ? undefined : Float32Array.from(weights),
});

describe('batch slicing', () => {
  it('takes bags [start, end) with rebased offsets and views of the indices', () => {
    const b = bags([1, 2, 3, 4, 5, 6], [0, 2, 2, 5], [1, 2, 3, 4, 5, 6]);
    const s = sliceBags(b, 1, 3);
    assert.deepEqual([...s.offsets], [0, 0]);
    assert.deepEqual([...s.indices], [3, 4, 5]);
    assert.deepEqual([...(s.weights ?? [])], [3, 4, 5]);
    assert.deepEqual([...sliceBags(b, 3, 4).indices], [6]);
    assert.deepEqual([...bagLengths(b)], [2, 0, 3, 1]);
  });
});

describe('row-wise split', () => {
  const routes = [
    { rowStart: 0, rowEnd: 10, group: 'a' },
    { rowStart: 10, rowEnd: 25, group: 'b' },
    { rowStart: 25, rowEnd: 30, group: 'c' },
  ];

  it('sends each id to its partition, local to it, keeping every bag', () => {
    const parts = splitByRows(bags([3, 12, 29, 10, 9], [0, 3, 3]), routes);
    assert.deepEqual(
      parts.map((p) => [...p.indices]),
      [[3, 9], [2, 0], [4]],
    );
    assert.deepEqual(
      parts.map((p) => [...p.offsets]),
      [
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 1],
      ],
    );
  });

  it('keeps weights with their ids and leaves a whole table alone', () => {
    const parts = splitByRows(bags([12, 3], [0], [0.5, 2]), routes);
    assert.deepEqual([...(parts[0]?.weights ?? [])], [2]);
    assert.deepEqual([...(parts[1]?.weights ?? [])], [0.5]);
    const whole = bags([1, 2], [0]);
    assert.equal(splitByRows(whole, [{ rowStart: 0, rowEnd: 30, group: 'a' }])[0], whole);
  });

  it('a cover of partitions has no gap and no overlap', () => {
    assert.deepEqual(
      coverRows(routes, 30)?.map((r) => r.group),
      ['a', 'b', 'c'],
    );
    assert.equal(coverRows(routes.slice(1), 30), undefined);
    const overlapping = [...routes, { rowStart: 0, rowEnd: 25, group: 'd' }];
    assert.deepEqual(
      coverRows(overlapping, 30)?.map((r) => r.group),
      ['d', 'c'],
    );
  });
});

describe('top k', () => {
  it('best first, ties in request order, NaN last', () => {
    const scores = Float32Array.of(0.5, 0.9, NaN, 0.9, 0.1);
    assert.deepEqual([...topK(scores, 5)], [1, 3, 0, 4, 2]);
    assert.deepEqual([...topK(scores, 2)], [1, 3]);
  });
});
