// RMC1 served end to end on the nmp backend in paced mode: scores equal the cpu backend's bit
// for bit (parity.test.ts checks those against an independent forward pass), replies wait for
// the modelled device, and the carbon ledger books the shards' modelled energy as modelled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveModel } from '@recmesh/models';
import { CarbonServiceClient, type ReportResponse } from '@recmesh/proto';
import { clientArgs, unaryCall } from '@recmesh/rpc';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { startTestMesh, type TestMesh } from '../support/local-mesh';

const MODEL = 'rmc1';
const ROW_SCALE = 0.0005;
const SEED = 7;
// A memory clock of 20 us (24,000x slower than DDR4-2400) makes the modelled time of a lookup
// hundreds of milliseconds, so that pacing shows against the emulation's own compute time.
const NMP_CONFIG = { paced: true, dram: { tCKns: 20_000 } };

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name) && !l.startsWith('#'));
  assert.ok(line !== undefined, `no ${name} in the shard's metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('RMC1 on the nmp backend, paced', () => {
  let nmp: TestMesh;
  let cpu: TestMesh;
  const common = { models: MODEL, rowScale: ROW_SCALE, seed: SEED, batchSize: 7, shards: 1 };
  before(async () => {
    nmp = await startTestMesh({
      ...common,
      env: { RECMESH_BACKEND: 'nmp', RECMESH_BACKEND_CONFIG: JSON.stringify(NMP_CONFIG) },
    });
    cpu = await startTestMesh(common);
  });
  after(async () => {
    await nmp?.stop();
    await cpu?.stop();
  });

  it("scores equal the cpu backend's, and replies wait for the modelled device", async () => {
    const spec = resolveModel(MODEL, { rowScale: ROW_SCALE, seed: SEED });
    const count = 23; // four batches of 7: the last one short
    const query = syntheticQuery(spec, count, new Rng(11), 0);
    const started = performance.now();
    const paced = await nmp.client.rank(query);
    const wallS = (performance.now() - started) / 1000;
    const plain = await cpu.client.rank(query);
    assert.equal(paced.items.length, count);
    assert.deepEqual(
      paced.items.map((i) => [i.index, i.score]),
      plain.items.map((i) => [i.index, i.score]),
    );
    const shard = nmp.mesh.services.find((s) => s.role === 'embedding-shard');
    assert.ok(shard !== undefined);
    const busyS = await metric(shard.metricsPort, 'recmesh_nmp_device_busy_seconds');
    const lookups = await metric(shard.metricsPort, 'recmesh_nmp_lookups');
    const hits = await metric(shard.metricsPort, 'recmesh_nmp_cache_hits');
    assert.equal(lookups, count * spec.tables.reduce((n, t) => n + t.pool, 0));
    assert.ok(hits >= 0 && hits <= lookups);
    // Every reply waited for its batch's modelled end, and the device runs one epoch at a time.
    assert.ok(busyS > 0.1, `modelled device time ${busyS} s`);
    assert.ok(wallS >= busyS, `replied in ${wallS} s, before the modelled ${busyS} s`);
  });

  it("the carbon ledger books the shard's energy as modelled", async () => {
    const ledger = nmp.mesh.services.find((s) => s.role === 'carbon-ledger');
    assert.ok(ledger !== undefined);
    const client = new CarbonServiceClient(ledger.address, ...clientArgs());
    try {
      const until = Date.now() + 20_000;
      for (;;) {
        const report = await unaryCall<{ sinceS: number }, ReportResponse>(
          client.report.bind(client),
          { sinceS: 0 },
        );
        const row = report.rows.find((r) => r.service === 'embedding-shard' && r.backend === 'nmp');
        if (row !== undefined) {
          assert.equal(row.energyMethod, 'modelled');
          assert.ok(row.energyJ > 0);
          break;
        }
        assert.ok(Date.now() < until, `no nmp shard row in ${JSON.stringify(report.rows)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      client.close();
    }
  });
});
