// Every service answers grpc.health.v1 and reflection; bad queries get the right status with
// the field named, and the mesh keeps serving.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import { checkHealth, listServices } from '@recmesh/rpc';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { resolveModel } from '@recmesh/models';
import { nodeFlagsFor } from '@recmesh/cli';
import { startTestMesh, type TestMesh } from '../support/local-mesh';

const SERVICES: Record<string, string> = {
  orchestrator: 'recmesh.v1.RankingService',
  'embedding-shard': 'recmesh.v1.EmbeddingService',
  'dense-worker': 'recmesh.v1.DenseService',
  'carbon-ledger': 'recmesh.v1.CarbonService',
};

describe('the mesh API', () => {
  let t: TestMesh;
  const spec = resolveModel('rmc1', { rowScale: 0.0005, seed: 7 });
  before(async () => {
    t = await startTestMesh({ models: 'rmc1' });
  });
  after(() => t.stop());

  it('every service answers health checks and lists its services through reflection', async () => {
    assert.equal(t.mesh.services.length, 5);
    for (const s of t.mesh.services) {
      assert.equal(await checkHealth(s.address), 'SERVING', `${s.name} health`);
      const own = SERVICES[s.role] as string;
      assert.equal(await checkHealth(s.address, own), 'SERVING', `${s.name} ${own} health`);
      const listed = await listServices(s.address);
      const extra = s.role === 'orchestrator' ? ['recmesh.v1.SchedulerService'] : [];
      assert.deepEqual(
        listed,
        [own, ...extra, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection'].sort(),
        `${s.name} reflection`,
      );
    }
  });

  it("starts every service with the machine's node flags (nodeFlagsFor: RECMESH_NODE_FLAGS or the core count)", () => {
    const flags = nodeFlagsFor();
    for (const s of t.mesh.services) {
      const argv = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      assert.deepEqual(argv.slice(1, 1 + flags.length), flags, `${s.name}: ${argv.join(' ')}`);
      assert.match(argv[1 + flags.length] ?? '', /main\.js$/, `${s.name}: ${argv.join(' ')}`);
    }
  });

  it('serves Prometheus metrics with request counts and latency histograms', async () => {
    const orchestrator = t.mesh.services.find((s) => s.role === 'orchestrator');
    await t.client.rank(syntheticQuery(spec, 5, new Rng(1)));
    const text = await (
      await fetch(`http://127.0.0.1:${orchestrator?.metricsPort}/metrics`)
    ).text();
    const has = (re: RegExp) => assert.ok(re.test(text), `${re} not in /metrics`);
    has(/recmesh_rpc_server_requests_total\{method="RankingService\/Rank",code="OK"[^}]*\} [1-9]/);
    has(
      /recmesh_rpc_server_duration_ms_bucket\{method="RankingService\/Rank",code="OK"[^}]*le="\+Inf"\} [1-9]/,
    );
  });

  const expectStatus = async (
    query: Parameters<typeof t.client.rank>[0],
    code: status,
    pattern: RegExp,
  ) => {
    const err = (await t.client.rank(query).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    )) as ServiceError;
    assert.equal(err.code, code, err.details);
    assert.match(err.details, pattern);
  };

  it('an unknown model is NOT_FOUND', async () => {
    await expectStatus(
      { ...syntheticQuery(spec, 2, new Rng(1)), model: 'rmc7' },
      status.NOT_FOUND,
      /model = "rmc7": unknown model; served: rmc1/,
    );
  });

  it('malformed queries are INVALID_ARGUMENT naming the field and value, and the mesh keeps serving', async () => {
    const good = syntheticQuery(spec, 4, new Rng(2));
    const sparse = good.items.sparse ?? [];
    const rows = spec.tables[0]?.rows ?? 0;
    const withTable0 = (indices: Int32Array, offsets: Int32Array) => ({
      ...good,
      items: { ...good.items, sparse: [{ table: 0, indices, offsets }, ...sparse.slice(1)] },
    });
    const idx = Int32Array.from(sparse[0]?.indices ?? []);
    idx[5] = rows + 3;
    await expectStatus(
      withTable0(idx, Int32Array.from(sparse[0]?.offsets ?? [])),
      status.INVALID_ARGUMENT,
      new RegExp(`items\\.sparse\\[0\\]\\.bags\\.indices\\[5\\] = ${rows + 3}`),
    );
    await expectStatus(
      withTable0(Int32Array.from(sparse[0]?.indices ?? []), Int32Array.of(0, 80, 40, 120)),
      status.INVALID_ARGUMENT,
      /items\.sparse\[0\]\.bags\.offsets\[2\] = 40: offsets must not decrease/,
    );
    await expectStatus(
      withTable0(Int32Array.from(sparse[0]?.indices ?? []), Int32Array.of(0, 80)),
      status.INVALID_ARGUMENT,
      /expected one bag per item \(4\)/,
    );
    await expectStatus(
      { ...good, items: { count: 0 } },
      status.INVALID_ARGUMENT,
      /items\.count = 0/,
    );
    await expectStatus(
      { ...good, items: { ...good.items, count: 9000 } },
      status.INVALID_ARGUMENT,
      /items\.count = 9000: more items than the configured maximum of 8192/,
    );
    const reply = await t.client.rank(good);
    assert.equal(reply.items.length, 4, 'top 10 of a 4-item query is all 4');
  });

  it('replies carry the backends, a latency breakdown and a carbon receipt', async () => {
    const reply = await t.client.rank(syntheticQuery(spec, 60, new Rng(3)));
    assert.equal(reply.servedBy?.embeddingBackend, 'cpu');
    assert.equal(reply.servedBy?.denseBackend, 'cpu');
    assert.equal(reply.servedBy?.shards.length, 2);
    assert.equal(reply.stages[0]?.batches, 3);
    assert.ok((reply.latency?.totalMs ?? 0) > 0 && (reply.latency?.computeMs ?? 0) > 0);
    const c = reply.carbon;
    assert.ok(
      c !== undefined && c.totalG > 0 && Math.abs(c.totalG - c.operationalG - c.embodiedG) < 1e-15,
    );
    assert.equal(c.energyMethod, 'modelled');
  });
});
