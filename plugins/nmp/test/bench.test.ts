// benchNmpKernel (what `recmesh bench kernel --backend nmp` reports) and the Zipf row sampler
// behind its locality levels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EmbeddingBackend } from '@recmesh/backend';
import { isRecmeshError } from '@recmesh/errors';
import { CpuEmbeddingBackend } from '@recmesh/plugin-cpu';
import { benchNmpKernel, ZipfSampler } from '@recmesh/plugin-nmp';

describe('benchNmpKernel', () => {
  it('reports measured CPU figures beside the modelled ones, each in range', async () => {
    const r = await benchNmpKernel({ rows: 20_000, dim: 32, bags: 32, pool: 20, zipf: 0.8 });
    assert.equal(r.backend, 'nmp');
    assert.ok(r.lookups_per_s !== null && r.lookups_per_s > 0);
    assert.ok(r.gb_per_s !== null && r.gb_per_s > 0);
    assert.ok(r.modelled_speedup > 1, String(r.modelled_speedup));
    assert.ok(r.modelled_energy_saving > 0 && r.modelled_energy_saving < 1);
    assert.ok(r.modelled_energy_saving_busy > 0 && r.modelled_energy_saving_busy < 1);
    assert.ok(r.cache_hit_rate > 0 && r.cache_hit_rate <= 1);
    assert.ok(
      Math.abs(r.modelled_speedup - r.host_modelled_latency_s / r.modelled_latency_s) < 1e-9,
    );
    assert.equal(r.config.ranks, 8);
  });

  it('takes hardware overrides and co-located tables', async () => {
    const r = await benchNmpKernel({
      rows: 5000,
      dim: 16,
      bags: 16,
      pool: 10,
      tables: 3,
      measureCpu: false,
      config: { topology: { dimmsPerChannel: 1, ranksPerDimm: 1 } },
    });
    assert.equal(r.config.ranks, 1);
    assert.equal(r.tables, 3);
    assert.equal(r.lookups_per_s, null);
    assert.match(r.cpu_error ?? '', /not measured/);
  });

  it('times the exact results on the backend it is given, and leaves it open', async () => {
    const cpu = new CpuEmbeddingBackend();
    let calls = 0;
    let disposed = false;
    const given: EmbeddingBackend = {
      name: 'cpu',
      capabilities: () => ({ ...cpu.capabilities(), kernel: 'given-kernel' }),
      allocateTable: (d, r, w) => cpu.allocateTable(d, r, w),
      loadTable: (t) => cpu.loadTable(t),
      gatherReduce: (t, b, o) => {
        calls++;
        return cpu.gatherReduce(t, b, o);
      },
      dispose: () => {
        disposed = true;
        return Promise.resolve();
      },
    };
    const r = await benchNmpKernel({
      rows: 1000,
      dim: 8,
      bags: 4,
      pool: 4,
      batches: 2,
      cpu: given,
    });
    assert.equal(r.kernel, 'given-kernel');
    assert.equal(calls, 2);
    assert.equal(disposed, false);
  });

  it('names a bad shape or configuration field', async () => {
    await assert.rejects(benchNmpKernel({ rows: 0, dim: 8, bags: 1, pool: 1 }), (err: unknown) => {
      assert.ok(isRecmeshError(err) && err.field === 'rows');
      return true;
    });
    await assert.rejects(
      benchNmpKernel({ rows: 10, dim: 8, bags: 1, pool: 1, config: { cache: { kib: -5 } } }),
      (err: unknown) => {
        assert.ok(isRecmeshError(err) && err.field === 'config.cache.kib', String(err));
        return true;
      },
    );
  });
});

describe('ZipfSampler', () => {
  it('is deterministic for a seed and stays in range', () => {
    const a = new ZipfSampler(1000, 1, 5).bags(10, 10).indices;
    const b = new ZipfSampler(1000, 1, 5).bags(10, 10).indices;
    assert.deepEqual(a, b);
    for (const i of a) assert.ok(i >= 0 && i < 1000);
  });

  it('exponent 0 is uniform; exponent 1 gives the top row its Zipf share', () => {
    const n = 200_000;
    const count = (exponent: number) => {
      const s = new ZipfSampler(100, exponent, 3);
      const seen = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const row = s.next();
        seen.set(row, (seen.get(row) ?? 0) + 1);
      }
      return Math.max(...seen.values()) / n;
    };
    assert.ok(Math.abs(count(0) - 0.01) < 0.002, String(count(0)));
    let harmonic = 0;
    for (let k = 1; k <= 100; k++) harmonic += 1 / k;
    assert.ok(Math.abs(count(1) - 1 / harmonic) < 0.01, String(count(1)));
  });
});
