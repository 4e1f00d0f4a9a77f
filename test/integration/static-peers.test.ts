// An orchestrator that is given shard and worker addresses (no NATS discovery of them) serves
// the same scores; usage reaches the carbon ledger through JetStream.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { credentials, Metadata } from '@grpc/grpc-js';
import { RankingClient } from '@recmesh/client';
import { resolveModel } from '@recmesh/models';
import { CarbonServiceClient, type ReportResponse } from '@recmesh/proto';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { NATS_URL, startTestMesh, type TestMesh } from '../support/local-mesh';

const spec = resolveModel('rmc2', { rowScale: 0.0005, seed: 7 });

describe('static addresses and the usage stream', () => {
  let t: TestMesh;
  let lonely: ChildProcess | undefined;
  before(async () => {
    t = await startTestMesh({ models: 'rmc2' });
  });
  after(async () => {
    lonely?.kill('SIGTERM');
    await t.stop();
  });

  it('a second orchestrator with RECMESH_SHARDS / RECMESH_WORKERS ranks like the first', async () => {
    const shards = t.mesh.services
      .filter((s) => s.role === 'embedding-shard')
      .map((s) => s.address);
    const workers = t.mesh.services.filter((s) => s.role === 'dense-worker').map((s) => s.address);
    lonely = spawn(process.execPath, [require.resolve('@recmesh/orchestrator/dist/main.js')], {
      env: {
        ...process.env,
        NATS_URL,
        // Another mesh name: it cannot discover the shards over NATS, only by address.
        RECMESH_MESH: `${t.name}-static`,
        RECMESH_MODELS: 'rmc2',
        RECMESH_ROW_SCALE: '0.0005',
        RECMESH_SEED: '7',
        RECMESH_SHARDS: shards.join(','),
        RECMESH_WORKERS: workers.join(','),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let address = '';
    for await (const line of createInterface({ input: lonely.stdout as NodeJS.ReadableStream })) {
      const record = JSON.parse(line) as { msg?: string; address?: string };
      if (record.msg === 'ready' && record.address !== undefined) {
        address = record.address;
        break;
      }
    }
    const client = new RankingClient(address);
    try {
      const query = syntheticQuery(spec, 40, new Rng(9), 0);
      const [a, b] = await Promise.all([t.client.rank(query), client.rank(query)]);
      assert.deepEqual(
        b.items.map((i) => [i.index, i.score]),
        a.items.map((i) => [i.index, i.score]),
      );
    } finally {
      client.close();
    }
  });

  it('the carbon ledger counts the queries from the usage stream', async () => {
    for (let i = 0; i < 5; i++) await t.client.rank(syntheticQuery(spec, 20, new Rng(i)));
    const ledger = t.mesh.services.find((s) => s.role === 'carbon-ledger');
    const carbon = new CarbonServiceClient(ledger?.address ?? '', credentials.createInsecure());
    const report = () =>
      new Promise<ReportResponse>((resolve, reject) =>
        carbon.report({ sinceS: 0 }, new Metadata(), {}, (err, res) =>
          err === null ? resolve(res) : reject(err),
        ),
      );
    const until = Date.now() + 5000;
    let r = await report();
    // Usage windows close every second; the orchestrator served at least these 5 queries.
    while (r.queries < 5 && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 200));
      r = await report();
    }
    carbon.close();
    assert.ok(r.queries >= 5, `ledger counted ${r.queries} queries`);
    assert.ok(r.totalG > 0);
    const roles = new Set(r.rows.map((row) => row.service));
    for (const role of ['orchestrator', 'embedding-shard', 'dense-worker'])
      assert.ok(roles.has(role), `${role} usage missing`);
  });
});
