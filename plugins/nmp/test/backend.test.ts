// The backend's outputs (per-batch report, capability report) and paced mode: replies wait for
// the modelled hardware without blocking the event loop; batches that find the device busy run
// after it, together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BagBatch, GatherReport } from '@recmesh/backend';
import { NmpEmbeddingBackend, parseNmpConfig, ZipfSampler } from '@recmesh/plugin-nmp';
import { randomTable } from '../src/bench/table-data';

function batchOf(rows: number, bags: number, pool: number, seed = 1): BagBatch {
  return { ...new ZipfSampler(rows, 0.9, seed).bags(bags, pool), mode: 'sum' };
}

describe('per-batch report', () => {
  it('carries modelled latency and energy, the host baseline and the cache hit rate', async () => {
    const nmp = new NmpEmbeddingBackend(parseNmpConfig({}));
    const table = nmp.loadTable(randomTable(10_000, 32, 'fp32'));
    const out = new Float32Array(64 * 32);
    let report: GatherReport | void = undefined;
    for (let i = 0; i < 3; i++)
      report = await nmp.gatherReduce(table, batchOf(10_000, 64, 40, i), out);
    assert.ok(report);
    assert.ok(report.modelledLatencyS > 0 && report.baselineLatencyS > report.modelledLatencyS);
    assert.ok(report.modelledEnergyJ > 0 && report.baselineEnergyJ > report.modelledEnergyJ);
    assert.ok(report.cacheHitRate > 0 && report.cacheHitRate <= 1);

    const { details } = nmp.capabilities();
    const modelled = details.modelled as Record<string, number>;
    assert.equal(modelled.batches, 3);
    assert.equal(modelled.lookups, 3 * 64 * 40);
    assert.ok((modelled.modelledSpeedup as number) > 1);
    assert.ok((modelled.cacheHitRate as number) >= 0 && (modelled.cacheHitRate as number) <= 1);
    assert.ok((modelled.modelledEnergySaving as number) > 0);
    assert.equal(details.ranks, 8);
    assert.equal(details.paced, false);
  });

  it('an empty batch costs nothing', async () => {
    const nmp = new NmpEmbeddingBackend(parseNmpConfig({}));
    const table = nmp.loadTable(randomTable(10, 4, 'fp32'));
    const report = await nmp.gatherReduce(
      table,
      { indices: new Int32Array(0), offsets: new Int32Array(0), mode: 'sum' },
      new Float32Array(0),
    );
    assert.ok(report);
    assert.equal(report.modelledLatencyS, 0);
    assert.equal(report.cacheHitRate, 0);
  });

  it('refuses a table it did not load', async () => {
    const nmp = new NmpEmbeddingBackend(parseNmpConfig({}));
    await assert.rejects(
      nmp.gatherReduce(
        { rows: 1, dim: 1, dtype: 'fp32', bytes: 4 },
        { indices: Int32Array.from([0]), offsets: Int32Array.from([0]), mode: 'sum' },
        new Float32Array(1),
      ),
      /did not load/,
    );
  });

  it('refuses tables beyond the modelled memory, naming what to raise', () => {
    const nmp = new NmpEmbeddingBackend(
      parseNmpConfig({
        topology: { dimmsPerChannel: 1, ranksPerDimm: 1 },
        dram: { rowsPerBank: 2 },
      }),
    );
    // 1 rank x 16 banks x 2 rows x 8 KiB = 256 KiB; 4096 rows of 128 bytes fit, 8192 do not.
    nmp.loadTable(randomTable(2048, 32, 'fp32'));
    assert.throws(() => nmp.loadTable(randomTable(8192, 32, 'fp32')), /dram\.rowsPerBank/);
  });
});

// A memory clock of 0.1 ms makes modelled latencies tens of milliseconds: easy to time.
const SLOW = { paced: true, dram: { tCKns: 100_000 } } as const;

describe('paced mode', () => {
  it('replies when the modelled hardware would have finished, not before', async () => {
    const nmp = new NmpEmbeddingBackend(parseNmpConfig(SLOW));
    const table = nmp.loadTable(randomTable(1000, 16, 'fp32'));
    const started = performance.now();
    const report = await nmp.gatherReduce(table, batchOf(1000, 4, 4), new Float32Array(4 * 16));
    const elapsedS = (performance.now() - started) / 1000;
    assert.ok(report);
    assert.ok(report.modelledLatencyS > 0.005, String(report.modelledLatencyS));
    assert.ok(elapsedS >= report.modelledLatencyS, `${elapsedS} s < ${report.modelledLatencyS} s`);
    assert.ok(elapsedS < report.modelledLatencyS + 0.5, `${elapsedS} s: paced far too long`);
  });

  it('does not block the event loop while it waits', async () => {
    // 1 ms a memory cycle: a wait of about 90 ms.
    const nmp = new NmpEmbeddingBackend(parseNmpConfig({ paced: true, dram: { tCKns: 1e6 } }));
    const table = nmp.loadTable(randomTable(1000, 16, 'fp32'));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await nmp.gatherReduce(table, batchOf(1000, 4, 4), new Float32Array(4 * 16));
    clearInterval(timer);
    assert.ok(ticks >= 3, `only ${ticks} timer ticks while waiting`);
  });

  it('batches that find the device busy run after it, as one epoch', async () => {
    const nmp = new NmpEmbeddingBackend(parseNmpConfig(SLOW));
    const a = nmp.loadTable(randomTable(1000, 16, 'fp32', 1));
    const b = nmp.loadTable(randomTable(1000, 16, 'fp32', 2));
    const started = performance.now();
    const first = nmp.gatherReduce(a, batchOf(1000, 4, 4, 1), new Float32Array(64));
    await new Promise((r) => setTimeout(r, 5));
    const second = nmp.gatherReduce(a, batchOf(1000, 4, 4, 2), new Float32Array(64));
    const third = nmp.gatherReduce(b, batchOf(1000, 4, 4, 3), new Float32Array(64));
    const [r1, r2, r3] = await Promise.all([first, second, third]);
    const elapsedS = (performance.now() - started) / 1000;
    assert.ok(r1 && r2 && r3);
    // The second epoch starts when the first ends; its two batches share it.
    const busy = (nmp.capabilities().details.modelled as Record<string, number>)
      .deviceBusySeconds as number;
    assert.ok(
      busy >= r1.modelledLatencyS + Math.max(r2.modelledLatencyS, r3.modelledLatencyS) - 1e-12,
    );
    assert.ok(elapsedS >= busy, `${elapsedS} s < ${busy} s of modelled device time`);
    await nmp.dispose();
  });
});
