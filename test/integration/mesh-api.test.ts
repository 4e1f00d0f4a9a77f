// Every service answers grpc.health.v1 and reflection; bad queries get the right status with
// the field named, and the mesh keeps serving.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { DenseServiceClient, type PredictRequest, type PredictResponse } from '@recmesh/proto';
import { asF32, bytesOf, checkHealth, listServices } from '@recmesh/rpc';
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

  it('a Predict with shared tables scores as the batch with their rows repeated; bad shared_tables are INVALID_ARGUMENT', async () => {
    const worker = t.mesh.services.find((x) => x.role === 'dense-worker');
    const client = new DenseServiceClient(worker?.address as string, credentials.createInsecure());
    const predict = (r: Partial<PredictRequest>) =>
      new Promise<PredictResponse>((resolve, reject) =>
        client.predict(
          {
            model: 'rmc1',
            version: 0,
            batch: 0,
            dense: Buffer.alloc(0),
            embeddings: Buffer.alloc(0),
            sharedTables: [],
            lookups: [],
            ...r,
          },
          (err, res) => (err === null ? resolve(res) : reject(err)),
        ),
      );
    try {
      const batch = 5;
      const { dim } = spec;
      const tables = spec.tables.length;
      const rng = new Rng(4);
      const dense = Float32Array.from({ length: batch * spec.denseFeatures }, () => rng.next());
      const full = Float32Array.from({ length: tables * batch * dim }, () => rng.next() - 0.5);
      const shared = [0, 2, tables - 1];
      // Every sample of a shared table has the same row; sent once.
      for (const table of shared)
        for (let b = 1; b < batch; b++)
          full.copyWithin(
            (table * batch + b) * dim,
            table * batch * dim,
            (table * batch + 1) * dim,
          );
      const sent = Float32Array.from(
        Array.from({ length: tables }, (_, table) => {
          const block = full.subarray(table * batch * dim, (table + 1) * batch * dim);
          return Array.from(shared.includes(table) ? block.subarray(0, dim) : block);
        }).flat(),
      );
      const whole = await predict({ batch, dense: bytesOf(dense), embeddings: bytesOf(full) });
      const once = await predict({
        batch,
        dense: bytesOf(dense),
        embeddings: bytesOf(sent),
        sharedTables: shared,
      });
      assert.deepEqual(asF32(once.scores), asF32(whole.scores));
      // Every table shared: one row each, and a batch of one (nothing to repeat).
      const all = Array.from({ length: tables }, (_, table) => table);
      const rowOf = (table: number) =>
        Array.from(full.subarray(table * batch * dim, table * batch * dim + dim));
      const rows = Float32Array.from(all.flatMap(rowOf));
      for (const n of [1, batch]) {
        const repeated = Float32Array.from(
          all.flatMap((table) => Array.from({ length: n }, () => rowOf(table)).flat()),
        );
        const denseN = dense.subarray(0, n * spec.denseFeatures);
        const expanded = await predict({
          batch: n,
          dense: bytesOf(denseN),
          embeddings: bytesOf(repeated),
        });
        const sharedAll = await predict({
          batch: n,
          dense: bytesOf(denseN),
          embeddings: bytesOf(rows),
          sharedTables: all,
        });
        assert.deepEqual(asF32(sharedAll.scores), asF32(expanded.scores), `batch ${n}`);
      }
      const refused = async (sharedTables: number[], re: RegExp) => {
        const err = (await predict({
          batch,
          dense: bytesOf(dense),
          embeddings: bytesOf(sent),
          sharedTables,
        }).catch((e: unknown) => e)) as ServiceError;
        assert.equal(err.code, status.INVALID_ARGUMENT, err.message);
        assert.match(err.details, re);
      };
      await refused([0, 2, tables], new RegExp(`shared_tables\\[2\\] = ${tables}`));
      await refused([2, 0, 1], /shared_tables\[1\] = 0: .*strictly increasing/);
      await refused([0, 2], /embeddings = "?\d+ floats"?: expected .*, 2 of them shared/);
      // This worker holds no tables (RECMESH_WORKER_TABLES_MAX_MB unset): lookups are refused.
      const noTables = (await predict({
        batch: 1,
        dense: bytesOf(dense.subarray(0, spec.denseFeatures)),
        lookups: spec.tables.map((_, table) => ({
          table,
          pooling: 0,
          bags: {
            indices: bytesOf(Int32Array.of(0)),
            offsets: bytesOf(Int32Array.of(0)),
            weights: Buffer.alloc(0),
          },
        })),
      }).catch((e: unknown) => e)) as ServiceError;
      assert.equal(noTables.code, status.FAILED_PRECONDITION, noTables.message);
      assert.match(
        noTables.details,
        /lookups sent for rmc1 version 1, whose embedding tables this worker does not hold/,
      );
    } finally {
      client.close();
    }
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
