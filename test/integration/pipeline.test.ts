// A multi-stage pipeline (RecPipe) through a real mesh: models trained by the project's trainer
// on a small synthetic data set, served from a model repository; the pipeline's reply reports
// every stage (model, items in and kept, batches, pool, latency, carbon), and its final items are
// exactly what a stage-by-stage recomputation from each model's own scores of every candidate
// gives. A pipeline naming an unknown model is refused, naming it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writePipeline } from '@recmesh/model-repository';
import {
  drawQueries,
  plainQueryOf,
  prepareRepository,
  simulatePipeline,
  type World,
  buildWorld,
} from '@recmesh/recpipe';
import { startTestMesh, type TestMesh } from '../support/local-mesh';

const DATA = { seed: 4, users: 200, items: 1500 };

describe('multi-stage pipelines', () => {
  const repository = join(mkdtempSync(join(tmpdir(), 'recmesh-pipeline-')), 'repository');
  let t: TestMesh;
  let world: World;

  before(async () => {
    await prepareRepository(repository, {
      data: DATA,
      train: { epochs: 1 },
      trainSamples: 3000,
      testSamples: 500,
    });
    writePipeline(repository, {
      format: 'recmesh.pipeline/v1',
      name: 'three-stage',
      version: 1,
      stages: [
        { model: 'rm-small', keep: 200, backend: 'cpu' },
        { model: 'rm-med', keep: 50 },
        { model: 'rm-large', keep: 10 },
      ],
    });
    writePipeline(repository, {
      format: 'recmesh.pipeline/v1',
      name: 'broken',
      version: 1,
      stages: [{ model: 'no-such-model', keep: 10 }],
    });
    world = buildWorld(DATA);
    t = await startTestMesh({
      models: '',
      modelRepository: repository,
      rowScale: 1,
      batchSize: 64,
    });
  });
  after(async () => {
    await t?.stop();
  });

  it('lists the pipelines with their stages', async () => {
    const { pipelines } = await t.client.listModels();
    const names = pipelines.map((p) => p.name).sort();
    assert.deepEqual(names, ['broken', 'single-large', 'three-stage', 'two-stage']);
    const two = pipelines.find((p) => p.name === 'two-stage');
    assert.deepEqual(
      two?.stages.map((s) => [s.model, s.keep]),
      [
        ['rm-small', 256],
        ['rm-large', 64],
      ],
    );
    assert.equal(two?.ready, true);
    assert.equal(pipelines.find((p) => p.name === 'broken')?.ready, false);
  });

  for (const name of ['two-stage', 'three-stage'])
    it(`${name}: each stage keeps exactly its items; the answer equals a stage-by-stage recomputation`, async () => {
      const [q] = drawQueries(world, 1, 600, 7);
      assert.ok(q !== undefined);
      const reply = await t.client.rank(plainQueryOf(world, q, name, 0));
      const pipeline = (await t.client.listModels()).pipelines.find((p) => p.name === name);
      const stages = pipeline?.stages ?? [];
      assert.equal(reply.pipeline, name);
      assert.equal(reply.pipelineVersion, 1);
      assert.equal(reply.stages.length, stages.length);
      let items = 600;
      reply.stages.forEach((s, k) => {
        const keep = stages[k]?.keep ?? 0;
        assert.equal(s.model, stages[k]?.model);
        assert.equal(s.itemsIn, items);
        assert.equal(s.itemsKept, Math.min(keep, items));
        assert.equal(s.batches, Math.ceil(items / 64));
        assert.equal(s.workerPool, 'cpu');
        assert.equal(s.backend, stages[k]?.backend);
        assert.ok(s.latencyMs > 0);
        assert.ok(s.computeMs > 0, 'the workers and shards report their compute');
        assert.ok((s.carbon?.totalG ?? 0) > 0, 'each stage carries its carbon');
        items = s.itemsKept;
      });
      assert.equal(reply.model, stages[stages.length - 1]?.model);
      assert.ok((reply.carbon?.totalG ?? 0) > 0);

      // Each model's own score of every candidate, then the stages replayed on them.
      const scores: Record<string, Float32Array> = {};
      for (const model of new Set(stages.map((s) => s.model))) {
        const all = await t.client.rank(plainQueryOf(world, q, model, 0));
        const s = new Float32Array(600);
        for (const item of all.items) s[item.index] = item.score;
        scores[model] = s;
      }
      const expected = simulatePipeline(scores, stages, 600);
      assert.deepEqual(
        reply.items.map((i) => i.index),
        Array.from(expected),
      );
      const last = scores[stages[stages.length - 1]?.model ?? ''] as Float32Array;
      for (const item of reply.items) assert.equal(item.score, last[item.index]);
    });

  it('dense workers holding the tables (RECMESH_WORKER_TABLES_MAX_MB) score every model and pipeline as the shards do, to the bit', async () => {
    const local = await startTestMesh({
      models: '',
      modelRepository: repository,
      rowScale: 1,
      batchSize: 64,
      env: { RECMESH_WORKER_TABLES_MAX_MB: '64' },
    });
    try {
      const [q] = drawQueries(world, 1, 300, 9);
      assert.ok(q !== undefined);
      for (const name of ['rm-small', 'rm-med', 'rm-large', 'two-stage', 'three-stage']) {
        const viaShards = await t.client.rank(plainQueryOf(world, q, name, 0));
        const viaWorkers = await local.client.rank(plainQueryOf(world, q, name, 0));
        assert.deepEqual(
          viaWorkers.items.map((i) => [i.index, i.score]),
          viaShards.items.map((i) => [i.index, i.score]),
          name,
        );
        assert.deepEqual(viaWorkers.servedBy?.shards, [], `${name}: no shard took part`);
        for (const s of viaWorkers.stages) {
          assert.equal(s.embeddingMs, 0, `${name} ${s.model}`);
          // One Predict per batch: the worker's own time is within the call's.
          assert.ok(s.computeMs > 0 && s.computeMs <= s.denseMs, `${name} ${s.model}`);
        }
      }
    } finally {
      await local.stop();
    }
  });

  it('cuts the last stage to top_k when it is smaller', async () => {
    const [q] = drawQueries(world, 1, 300, 8);
    assert.ok(q !== undefined);
    const reply = await t.client.rank(plainQueryOf(world, q, 'two-stage', 5));
    assert.equal(reply.items.length, 5);
    assert.equal(reply.stages[1]?.itemsKept, 5);
  });

  it('refuses a pipeline whose stage names an unknown model, naming it', async () => {
    const [q] = drawQueries(world, 1, 100, 9);
    assert.ok(q !== undefined);
    await assert.rejects(t.client.rank(plainQueryOf(world, q, 'broken', 0)), /no-such-model/);
  });
});
