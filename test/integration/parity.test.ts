// The mesh's scores for RMC1, RMC2 and RMC3 (small row scale, both interactions) equal an
// independent plain-TypeScript forward pass over the same weights within 1e-5 relative: pooled
// by the shards, and pooled by dense workers that hold the tables (RECMESH_WORKER_TABLES_MAX_MB);
// mean-pooled tables of a repository model too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  DenseServiceClient,
  Pooling,
  type Bags,
  type PredictRequest,
  type PredictResponse,
  type TableLookup,
} from '@recmesh/proto';
import { asF32, bytesOf } from '@recmesh/rpc';
import { resolveModel, type ModelSpec } from '@recmesh/models';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { ReferenceDlrm } from '../support/reference-dlrm';
import { POOLING_PATHS, startTestMesh, type TestMesh } from '../support/local-mesh';
import { itemBags } from '../support/query-bags';
import { recmesh } from '../support/recmesh-cli';

const MODELS = ['rmc1', 'rmc1-dot', 'rmc2', 'rmc2-dot', 'rmc3', 'rmc3-dot'];
const ROW_SCALE = 0.0005;
const SEED = 7;

for (const { name: where, workerTables, env } of POOLING_PATHS) {
  describe(`score parity with an independent forward pass, ${where}`, () => {
    let t: TestMesh;
    before(async () => {
      t = await startTestMesh({
        models: MODELS.join(','),
        rowScale: ROW_SCALE,
        seed: SEED,
        batchSize: 7,
        env,
      });
    });
    after(() => t.stop());

    for (const name of MODELS) {
      it(`${name}: every item's score within 1e-5 relative`, async () => {
        const spec = resolveModel(name, { rowScale: ROW_SCALE, seed: SEED });
        const reference = new ReferenceDlrm(spec);
        const count = 23; // not a multiple of the batch size: the last batch is short
        const query = syntheticQuery(spec, count, new Rng(11), 0);
        const reply = await t.client.rank(query);
        assert.equal(reply.items.length, count);
        // Which path scored it: the shards' round trips, or none.
        assert.equal(reply.servedBy?.shards.length, workerTables ? 0 : 2);
        assert.equal((reply.stages[0]?.embeddingMs ?? 0) === 0, workerTables);
        for (const item of reply.items) {
          const bags = itemBags(query, item.index);
          const expected = reference.score({ dense: query.user.dense as Float32Array, bags });
          const rel = Math.abs(item.score - expected) / Math.max(Math.abs(expected), 1e-12);
          assert.ok(
            rel <= 1e-5,
            `${name} item ${item.index}: mesh ${item.score}, reference ${expected}, relative error ${rel}`,
          );
        }
        // Best first, ties by request order.
        for (let i = 1; i < reply.items.length; i++) {
          const a = reply.items[i - 1];
          const b = reply.items[i];
          assert.ok(
            a !== undefined &&
              b !== undefined &&
              (a.score > b.score || (a.score === b.score && a.index < b.index)),
          );
        }
      });
    }

    if (workerTables)
      it('a Predict with bad lookups is INVALID_ARGUMENT naming the lookup; embeddings beside lookups too', async () => {
        const worker = t.mesh.services.find((x) => x.role === 'dense-worker');
        const client = new DenseServiceClient(
          worker?.address as string,
          credentials.createInsecure(),
        );
        const spec = resolveModel('rmc1', { rowScale: ROW_SCALE, seed: SEED });
        const batch = 3;
        const lookup = (table: number, ids: number[]): TableLookup => ({
          table,
          pooling: Pooling.POOLING_SUM,
          bags: {
            indices: bytesOf(Int32Array.from(ids)),
            offsets: bytesOf(Int32Array.from(ids, (_, i) => i)),
            weights: Buffer.alloc(0),
          },
        });
        const good = spec.tables.map((_, table) => lookup(table, [0, 1, 2]));
        /** A Predict of `batch` items over the good lookups, with `r`'s fields in their place. */
        const predict = (r: Partial<PredictRequest>) =>
          new Promise<{ err: ServiceError | null; reply?: PredictResponse }>((resolve) =>
            client.predict(
              {
                model: 'rmc1',
                version: 0,
                batch,
                dense: bytesOf(new Float32Array(spec.denseFeatures)),
                embeddings: Buffer.alloc(0),
                sharedTables: [],
                lookups: good,
                ...r,
              },
              (err, reply) => resolve({ err, reply }),
            ),
          );
        const refused = async (r: Partial<PredictRequest>, re: RegExp) => {
          const { err } = await predict(r);
          assert.equal(err?.code, status.INVALID_ARGUMENT, err?.message);
          assert.match(err.details, re);
        };
        try {
          const rows = spec.tables[1]?.rows as number;
          await refused(
            { lookups: good.slice(1) },
            /lookups = "?\d+ lookups"?: expected one per table/,
          );
          await refused(
            { lookups: good.map((l, t) => (t === 1 ? lookup(1, [0, rows, 2]) : l)) },
            /lookups\[1\]\.bags/,
          );
          await refused(
            { lookups: [good[1], good[0], ...good.slice(2)] as TableLookup[] },
            /lookups\[0\]\.table = 1/,
          );
          await refused(
            { sharedTables: [0] },
            /lookups\[0\]\.bags\.offsets = "?3 bags"?: expected 1/,
          );
          await refused(
            { embeddings: bytesOf(new Float32Array(spec.dim)) },
            /embeddings = .*expected none: the request carries lookups/,
          );
          // One index per bag: the same scores with the offsets left off the wire.
          const dense = bytesOf(new Float32Array(spec.denseFeatures).fill(0.5));
          const scores = async (lookups: TableLookup[]) => {
            const { err, reply } = await predict({ lookups, dense });
            if (err !== null || reply === undefined) throw err;
            return [...asF32(reply.scores)];
          };
          const withOffsets = spec.tables.map((_, table) => lookup(table, [2, 0, 1]));
          const without = withOffsets.map((l) => ({
            ...l,
            bags: { ...(l.bags as Bags), offsets: Buffer.alloc(0) },
          }));
          assert.deepEqual(await scores(without), await scores(withOffsets));
          await refused(
            { lookups: without.map((l, t) => (t === 2 ? lookup(2, [0, 1]) : l)) },
            /lookups\[2\]\.bags\.offsets = "?2 bags"?: expected 3/,
          );
        } finally {
          client.close();
        }
      });
  });
}

describe('mean-pooled tables of a repository model score as the reference, on both paths', () => {
  // rmc1-dot exported to a repository, every even table switched to mean pooling in its
  // manifest (EmbeddingBag mode='mean'): the orchestrator divides the shards' sums, the worker
  // pools the mean itself; both must give the reference's mean.
  const root = mkdtempSync(join(tmpdir(), 'recmesh-mean-'));
  const repository = join(root, 'repository');
  const preset = resolveModel('rmc1-dot', { rowScale: ROW_SCALE, seed: SEED });
  const spec: ModelSpec = {
    ...preset,
    name: 'meanpool',
    version: 1,
    tables: preset.tables.map((table, t) => (t % 2 === 0 ? { ...table, pooling: 'mean' } : table)),
  };

  before(async () => {
    const dir = join(repository, 'meanpool', '1');
    const r = await recmesh([
      'models',
      'export',
      '--model',
      'rmc1-dot',
      '--row-scale',
      String(ROW_SCALE),
      '--seed',
      String(SEED),
      '--out',
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
      tables: { pooling: string }[];
    };
    manifest.tables.forEach((table, t) => {
      if (t % 2 === 0) table.pooling = 'mean';
    });
    writeFileSync(path, JSON.stringify(manifest, null, 2));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const { name: where, workerTables, env } of POOLING_PATHS)
    it(`${where}: every item's score within 1e-5 relative`, async () => {
      const t = await startTestMesh({ models: '', modelRepository: repository, batchSize: 7, env });
      try {
        const reference = new ReferenceDlrm(spec);
        const count = 23;
        const query = syntheticQuery(spec, count, new Rng(13), 0);
        // The bags hold several rows, so mean and sum differ.
        assert.ok(itemBags(query, 0).some((bag) => bag.length > 1));
        const reply = await t.client.rank(query);
        assert.equal(reply.items.length, count);
        assert.equal(reply.servedBy?.shards.length === 0, workerTables);
        for (const item of reply.items) {
          const expected = reference.score({
            dense: query.user.dense as Float32Array,
            bags: itemBags(query, item.index),
          });
          const rel = Math.abs(item.score - expected) / Math.max(Math.abs(expected), 1e-12);
          assert.ok(rel <= 1e-5, `item ${item.index}: mesh ${item.score}, reference ${expected}`);
        }
      } finally {
        await t.stop();
      }
    });
});
