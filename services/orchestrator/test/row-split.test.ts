// Row-wise routing: coverRows chains partitions over a table, splitByRows sends each id to its
// partition as a local id, and the partial sums add up to the whole bag (weights, empty bags,
// ids on partition edges).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '@recmesh/workload';
import { splitByRows } from '../src/rank/bags';
import { coverRows, type Route } from '../src/routing/router';

const route = (rowStart: number, rowEnd: number, group: string): Route => ({
  rowStart,
  rowEnd,
  group,
});

describe('coverRows', () => {
  it('chains partitions in row order and prefers the one reaching furthest', () => {
    const cover = coverRows([route(50, 100, 'b'), route(0, 50, 'a'), route(0, 20, 'c')], 100);
    assert.deepEqual(
      cover?.map((r) => r.group),
      ['a', 'b'],
    );
  });

  it('is undefined while rows have no live partition', () => {
    assert.equal(coverRows([route(0, 50, 'a'), route(60, 100, 'b')], 100), undefined);
    assert.equal(coverRows([route(0, 50, 'a')], 100), undefined);
  });
});

describe('splitByRows', () => {
  it('gives each partition its local ids, keeps bag structure and weights, and sums back', () => {
    const rows = 1000;
    const dim = 3;
    const routes = [route(0, 333, 'a'), route(333, 334, 'b'), route(334, rows, 'c')];
    const rng = new Rng(5);
    const table = Float64Array.from({ length: rows * dim }, () => rng.next() - 0.5);
    const ids: number[] = [];
    const offsets: number[] = [];
    for (let b = 0; b < 50; b++) {
      offsets.push(ids.length);
      if (b % 7 === 0) continue; // empty bag
      for (let i = 0; i < 1 + rng.int(30); i++)
        ids.push([0, 332, 333, 334, rows - 1][rng.int(6)] ?? rng.int(rows));
    }
    const bags = {
      indices: Int32Array.from(ids),
      offsets: Int32Array.from(offsets),
      weights: Float32Array.from(ids, () => rng.next() * 2 - 1),
    };
    const parts = splitByRows(bags, routes);
    assert.equal(parts.length, 3);
    const total = new Float64Array(50 * dim);
    const whole = new Float64Array(50 * dim);
    const pool = (b: typeof bags, base: number, out: Float64Array) => {
      for (let bag = 0; bag < 50; bag++) {
        const end = bag + 1 < 50 ? (b.offsets[bag + 1] as number) : b.indices.length;
        for (let i = b.offsets[bag] as number; i < end; i++)
          for (let d = 0; d < dim; d++)
            out[bag * dim + d] =
              (out[bag * dim + d] as number) +
              (b.weights?.[i] ?? 1) *
                (table[((b.indices[i] as number) + base) * dim + d] as number);
      }
    };
    parts.forEach((p, r) => {
      const { rowStart, rowEnd } = routes[r] as Route;
      assert.equal(p.offsets.length, 50);
      assert.ok(
        p.indices.every((x) => x >= 0 && x < rowEnd - rowStart),
        `partition ${r} ids are local`,
      );
      pool(p as typeof bags, rowStart, total);
    });
    pool(bags, 0, whole);
    total.forEach((v, k) => assert.ok(Math.abs(v - (whole[k] as number)) < 1e-12));
  });

  it('passes a table held whole through untouched', () => {
    const bags = { indices: Int32Array.of(1, 2), offsets: Int32Array.of(0), weights: undefined };
    assert.equal(splitByRows(bags, [route(0, 10, 'a')])[0], bags);
  });
});
