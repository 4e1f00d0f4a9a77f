// A pipeline's next stage sees only the items the previous stage kept: their bags (weights
// included), dense features and ids, in the kept order; the user's own features unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveModel } from '@recmesh/models';
import type { Query } from '../src/rank/parse-query';
import { selectItems } from '../src/rank/select-items';

const spec = resolveModel('rm-small', { rowScale: 0.0001, seed: 1 });

function query(): Query {
  return {
    spec,
    count: 4,
    topK: 0,
    userDense: undefined,
    itemDense: Float32Array.from({ length: 4 * 13 }, (_, i) => i),
    itemIds: BigUint64Array.from([10n, 11n, 12n, 13n]),
    tables: spec.tables.map((_, t) =>
      t === 0
        ? {
            kind: 'items' as const,
            bags: {
              indices: Int32Array.from([1, 2, 3, 4, 5, 6]),
              offsets: Int32Array.from([0, 2, 2, 5]),
              weights: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
            },
          }
        : t === 1
          ? {
              kind: 'user' as const,
              bags: {
                indices: Int32Array.from([7]),
                offsets: Int32Array.from([0]),
                weights: undefined,
              },
            }
          : { kind: 'none' as const },
    ),
    taskWeights: [1],
  };
}

describe('selectItems', () => {
  it('keeps the chosen items in the chosen order', () => {
    const next = { ...resolveModel('rm-large', { rowScale: 0.0001, seed: 1 }) };
    const q = selectItems(query(), Uint32Array.from([3, 0, 1]), next);
    assert.equal(q.spec, next);
    assert.equal(q.count, 3);
    assert.deepEqual([...(q.itemIds ?? [])], [13n, 10n, 11n]);
    assert.deepEqual([...(q.itemDense ?? [])].slice(0, 2), [39, 40]);
    const t0 = q.tables[0];
    assert.ok(t0?.kind === 'items');
    assert.deepEqual([...t0.bags.offsets], [0, 1, 3]);
    assert.deepEqual([...t0.bags.indices], [6, 1, 2]);
    assert.deepEqual(
      [...(t0.bags.weights ?? [])].map((w) => Math.round(w * 10)),
      [6, 1, 2],
    );
    assert.equal(q.tables[1]?.kind, 'user');
  });

  it('refuses a next model that reads other features, naming both', () => {
    const other = resolveModel('rm-large', { rowScale: 0.001, seed: 1 });
    assert.throws(
      () => selectItems(query(), Uint32Array.from([0]), other),
      /rm-large version 1 does not read the features of rm-small version 1/,
    );
  });
});
