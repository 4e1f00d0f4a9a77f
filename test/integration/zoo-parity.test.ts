// Every preset served by the mesh end to end (shards, a worker, the orchestrator): each item's
// scores, every task, against the independent forward pass of its family. DIN and DIEN take the
// behaviour sequence as the user's bags (pooled once per query), the ad and context per item,
// with a history cut short; MT-WnD ranks by task weights given in the query.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PlainQuery } from '@recmesh/client';
import { PRESETS, resolveModel, type ModelSpec } from '@recmesh/models';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { POOLING_PATHS, startTestMesh, type TestMesh } from '../support/local-mesh';
import { bagOf } from '../support/query-bags';
import { referenceModel } from '../support/reference-model';

const MODELS = [...Object.keys(PRESETS), 'rm-small-cat', 'rmc2-dot-self'];
const ROW_SCALE = 0.0002;
const SEED = 11;
const COUNT = 9;

/** A query whose behaviour slots (DIN, DIEN) are the user's, the first `history` filled. */
function queryFor(spec: ModelSpec, rng: Rng): { query: PlainQuery; userTables: Set<number> } {
  const query = syntheticQuery(spec, COUNT, rng, 0);
  const a = spec.architecture;
  if (a.kind !== 'din' && a.kind !== 'dien') return { query, userTables: new Set() };
  const history = Math.floor(a.behaviours / 2);
  const userTables = new Set(Array.from({ length: a.behaviours + 1 }, (_, t) => t));
  const user = [...userTables].map((table) => ({
    table,
    indices: table > history ? [] : [rng.int(spec.tables[table]?.rows ?? 1)],
  }));
  return {
    query: {
      ...query,
      user: { ...query.user, sparse: user },
      items: {
        ...query.items,
        sparse: (query.items.sparse ?? []).filter((s) => !userTables.has(s.table)),
      },
    },
    userTables,
  };
}

for (const { name: where, workerTables, env } of POOLING_PATHS)
  describe(`every preset served by the mesh equals its independent forward pass, ${where}`, () => {
    let t: TestMesh;
    before(async () => {
      t = await startTestMesh({
        models: MODELS.join(','),
        rowScale: ROW_SCALE,
        seed: SEED,
        batchSize: 4,
        env,
      });
    });
    after(() => t.stop());

    for (const name of MODELS) {
      it(`${name}: every item, every task`, async () => {
        const spec = resolveModel(name, { rowScale: ROW_SCALE, seed: SEED });
        const reference = referenceModel(spec);
        const { query, userTables } = queryFor(spec, new Rng(3));
        const weights = spec.tasks.map((_, k) => k + 1);
        const reply = await t.client.rank(
          spec.tasks.length > 1 ? { ...query, taskWeights: weights } : query,
        );
        assert.equal(reply.items.length, COUNT);
        assert.equal(reply.version, 1);
        assert.equal(reply.servedBy?.shards.length === 0, workerTables, 'which path pooled');
        assert.deepEqual(
          reply.tasks,
          spec.tasks.map((k) => k.name),
        );
        for (const item of reply.items) {
          const bags = spec.tables.map((_, table) => {
            if (userTables.has(table))
              return [...(query.user.sparse?.find((s) => s.table === table)?.indices ?? [])];
            const s = query.items.sparse?.find((x) => x.table === table);
            return s === undefined ? [] : bagOf(s, item.index);
          });
          const want = reference.scores({ dense: query.user.dense as Float32Array, bags });
          const got = spec.tasks.length > 1 ? item.taskScores : [item.score];
          want.forEach((w, k) => {
            const abs = Math.abs((got[k] as number) - w);
            assert.ok(
              abs / Math.max(Math.abs(w), 1e-30) <= 1e-5 || abs <= 1e-7,
              `${name} item ${item.index} task ${k}: mesh ${got[k]}, reference ${w}`,
            );
          });
          if (spec.tasks.length > 1) {
            const mean =
              want.reduce((s, w, k) => s + w * (weights[k] as number), 0) /
              weights.reduce((a, b) => a + b, 0);
            assert.ok(
              Math.abs(item.score - mean) <= 1e-5 * Math.abs(mean),
              'ranked by the weighted mean',
            );
          }
        }
      });
    }

    it('lists every preset with its architecture, tasks and version', async () => {
      const list = await t.client.listModels();
      const mtwnd = list.models.find((m) => m.name === 'mtwnd');
      assert.deepEqual(mtwnd?.tasks, ['click', 'like', 'share']);
      assert.match(mtwnd?.architecture ?? '', /^mt-wide-deep/);
      assert.equal(list.models.find((m) => m.name === 'rm-large')?.interaction, 'dot');
      assert.ok(list.models.every((m) => m.ready && m.version === 1));
    });

    it('refuses task weights that do not fit the model, naming the field', async () => {
      const spec = resolveModel('mtwnd', { rowScale: ROW_SCALE, seed: SEED });
      const query = syntheticQuery(spec, 2, new Rng(1), 0);
      await assert.rejects(t.client.rank({ ...query, taskWeights: [1, 2] }), /task_weights/);
      await assert.rejects(t.client.rank({ ...query, taskWeights: [0, 0, 0] }), /task_weights/);
    });
  });
