import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  denseWeights,
  fillNormal,
  fillUniform,
  resolveModel,
  streamKey,
  tableRows,
} from '../src/index';

describe('deterministic weights', () => {
  const spec = resolveModel('rmc1', { rowScale: 0.001, seed: 3 });

  it('give any row range the same rows as the whole table', () => {
    const whole = tableRows(spec, 2);
    const slice = tableRows(spec, 2, 1000, 1500);
    assert.deepEqual(slice, whole.subarray(1000 * spec.dim, 1500 * spec.dim));
  });

  it('differ by seed and by table', () => {
    const other = resolveModel('rmc1', { rowScale: 0.001, seed: 4 });
    assert.notDeepEqual(tableRows(spec, 0, 0, 4), tableRows(other, 0, 0, 4));
    assert.notDeepEqual(tableRows(spec, 0, 0, 4), tableRows(spec, 1, 0, 4));
  });

  it("follow DLRM's initialisation: tables uniform in +-sqrt(1/n)", () => {
    const rows = tableRows(spec, 0);
    const bound = Math.sqrt(1 / (spec.tables[0]?.rows ?? 1));
    let max = 0;
    let sum = 0;
    for (const v of rows) {
      max = Math.max(max, Math.abs(v));
      sum += v;
    }
    assert.ok(max <= bound && max > 0.99 * bound);
    assert.ok(Math.abs(sum / rows.length) < 0.01 * bound, 'mean near 0');
  });

  it('draw MLP weights with std sqrt(2 / (m + n))', () => {
    const { bottom = [], top = [] } = denseWeights(spec).layers;
    const first = bottom[0];
    assert.ok(first !== undefined);
    assert.equal(first.weight.length, first.inputs * first.outputs);
    let sq = 0;
    for (const v of first.weight) sq += v * v;
    const std = Math.sqrt(sq / first.weight.length);
    const want = Math.sqrt(2 / (first.inputs + first.outputs));
    assert.ok(Math.abs(std / want - 1) < 0.05, `std ${std} vs ${want}`);
    assert.equal(top.at(-1)?.activation, 'sigmoid');
    assert.ok(bottom.every((l) => l.activation === 'relu'));
  });

  it('are counter-based: a fill starting at k equals the tail of a fill starting at 0', () => {
    const key = streamKey(9, 'x');
    assert.deepEqual(
      fillUniform(new Float32Array(5), key, 3, 1),
      fillUniform(new Float32Array(8), key, 0, 1).subarray(3),
    );
    assert.deepEqual(
      fillNormal(new Float32Array(5), key, 3, 1),
      fillNormal(new Float32Array(8), key, 0, 1).subarray(3),
    );
  });

  it('refuse a row range outside the table', () => {
    assert.throws(() => tableRows(spec, 0, 0, (spec.tables[0]?.rows ?? 0) + 1), /rows = \[0,/);
    assert.throws(() => tableRows(spec, 8), /table = 8/);
  });
});
