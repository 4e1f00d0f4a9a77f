// The arithmetic of energy: RAPL counter deltas across a wrap, the CPU-time share of a package,
// /proc/stat and nvidia-smi parsing, and the split of measured joules among usage keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  counterDeltaUj,
  parseNvidiaSmiPower,
  parseProcStat,
  processShareJ,
  splitByBusy,
} from '@recmesh/carbon';

describe('energy arithmetic', () => {
  it('RAPL deltas, with and without a wrap of the counter', () => {
    assert.equal(counterDeltaUj(1_000, 5_000, 262_143_328_850), 4_000);
    // wrapped: from 262,143,000,000 up to the range, then from 0 to 500,000
    assert.equal(counterDeltaUj(262_143_000_000, 500_000, 262_143_328_850), 328_850 + 500_000);
    assert.throws(() => counterDeltaUj(1, -2, 10), /energy_uj = -2/);
    assert.throws(() => counterDeltaUj(1, NaN, 10), /energy_uj = NaN/);
    assert.throws(() => counterDeltaUj(20, 5, 10), /above max_energy_range_uj/);
  });
  it("a process's share of the package is its CPU time over all busy CPU time", () => {
    assert.equal(processShareJ(100, 0.5, 2), 25);
    assert.equal(processShareJ(100, 3, 2), 100); // clock skew between the two readings: capped
    assert.equal(processShareJ(100, 0.5, 0), 0);
  });
  it('/proc/stat: busy is everything but idle and iowait', () => {
    const t = parseProcStat('cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 1 2 3 4\n');
    assert.deepEqual(t, { busy: 161, total: 1181 });
    assert.throws(() => parseProcStat('intr 1 2 3'), /\/proc\/stat cpu/);
  });
  it('nvidia-smi power readings', () => {
    assert.deepEqual(
      [...parseNvidiaSmiPower('0, 61.23\n1, 250.00\n')],
      [
        [0, 61.23],
        [1, 250],
      ],
    );
    assert.throws(
      () => parseNvidiaSmiPower('0, [N/A]\n'),
      /nvidia-smi power\.draw = "0, \[N\/A\]"/,
    );
  });
  it('splits measured joules by busy seconds, or all to the fallback when nothing was busy', () => {
    const split = splitByBusy(
      90,
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
      'idle',
    );
    assert.deepEqual(
      [...split],
      [
        ['a', 30],
        ['b', 60],
      ],
    );
    assert.deepEqual([...splitByBusy(90, new Map([['a', 0]]), 'idle')], [['idle', 90]]);
  });
});
