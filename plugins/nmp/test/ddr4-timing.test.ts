// The DDR4 command timing, cycle by cycle, on batches small enough to work out by hand
// (DDR4-2400 defaults: tCK 0.833 ns, CL = tRCD = tRP = 16, tRAS 39, tRTP 9, tCCD_L 6,
// tRRD_S 4, tFAW 26, BL8 = 4 cycles). Rows of dim 16 fp32 are one 64-byte burst; with 8 ranks
// row r sits in rank r mod 8, and rank-local row u = r div 8 in page u div 128 (page p: bank
// group p mod 4, bank (p div 4) mod 4, DRAM row p div 16).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NmpModel, parseNmpConfig, type NmpConfigInput } from '@recmesh/plugin-nmp';

const ROW_OF_PAGE = (page: number) => page * 128 * 8;

function cycles(rows: number[], input: NmpConfigInput = {}) {
  const config = parseNmpConfig(input);
  const model = new NmpModel(config);
  const table = model.place(1 << 20, 16, 'fp32');
  const epoch = model.run([
    { table, indices: Int32Array.from(rows), offsets: Int32Array.from([0]) },
  ]);
  const tCK = config.dram.tCKns * 1e-9;
  return { host: Math.round(epoch.hostLatencyS / tCK), nmp: Math.round(epoch.nmpLatencyS / tCK) };
}

describe('host memory system, one channel of DDR4-2400', () => {
  it('one row on idle memory: ACT, tRCD, RD, CL, one burst = 36 cycles', () => {
    assert.equal(cycles([0]).host, 16 + 16 + 4);
  });

  it('a row-buffer hit: the second read waits only tCCD_L = 42 cycles in all', () => {
    assert.equal(cycles([0, 8]).host, 16 + 6 + 16 + 4);
  });

  it('a row conflict: PRE after tRAS, tRP, ACT, tRCD, RD, CL = 91 cycles', () => {
    assert.equal(cycles([0, ROW_OF_PAGE(16)]).host, 39 + 16 + 16 + 16 + 4);
  });

  it('closed page: the same row again is activated again (auto-precharge)', () => {
    assert.equal(cycles([0, 8], { dram: { pagePolicy: 'closed' } }).host, 39 + 16 + 16 + 16 + 4);
  });

  it('tFAW: a fifth activation in one rank waits for the four-activate window', () => {
    const fiveBanks = [0, 1, 2, 3, 4].map(ROW_OF_PAGE);
    // ACTs at 0, 4, 8, 12; the fifth at 26 (tFAW), its RD at 42, data until 62.
    assert.equal(cycles(fiveBanks).host, 26 + 16 + 16 + 4);
    // Without the window the fifth ACT goes at 17 (16 holds a RD on the command bus).
    assert.equal(cycles(fiveBanks, { dram: { tFAW: 4 } }).host, 17 + 16 + 16 + 4);
  });

  it('the memory clock scales every figure', () => {
    const slow = parseNmpConfig({ dram: { tCKns: 1.25 } });
    const model = new NmpModel(slow);
    const table = model.place(1000, 16, 'fp32');
    const epoch = model.run([
      { table, indices: Int32Array.from([0]), offsets: Int32Array.from([0]) },
    ]);
    assert.ok(Math.abs(epoch.hostLatencyS - 36 * 1.25e-9) < 1e-15);
  });
});

describe('RecNMP on the same memory', () => {
  it('one row: the instruction packet (4) and decode (2) first, then the same DRAM read, one multiply-add cycle, the DIMM merge (2) and the partial sum back (4)', () => {
    assert.equal(cycles([0]).nmp, 4 + 2 + 16 + 16 + 4 + 1 + 2 + 4);
  });

  it('eight rows on eight ranks: the ranks read in parallel, four DIMM partial sums cross the channel', () => {
    const r = cycles([0, 1, 2, 3, 4, 5, 6, 7]);
    // Two instruction bursts (8 x 80 bits) and decode: ACTs at 10 and 11 (two ranks share a
    // DIMM's command bus), data by 46 and 47, summed by 48, merged by 50; then four partial
    // sums, 2 idle cycles between DIMMs: 50-54, 56-60, 62-66, 68-72.
    assert.equal(r.nmp, 72);
    // The host's bursts cross one bus, 2 idle cycles at every rank switch: the last ends at 78.
    assert.equal(r.host, 78);
  });
});
