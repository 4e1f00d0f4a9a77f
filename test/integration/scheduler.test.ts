// DeepRecSched in the orchestrator: its state and settings over gRPC, large queries offloaded
// whole to the accelerator pool, and load shed with RESOURCE_EXHAUSTED past capacity.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import { SchedulerClient } from '@recmesh/client';
import { resolveModel } from '@recmesh/models';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { startTestMesh, type TestMesh } from '../support/local-mesh';
import { recmesh } from '../support/recmesh-cli';

const spec = resolveModel('rmc1', { rowScale: 0.0005, seed: 7 });

describe('the scheduler', () => {
  let t: TestMesh;
  let scheduler: SchedulerClient;
  before(async () => {
    t = await startTestMesh({
      models: 'rmc1',
      workers: 1,
      accelWorkers: 1,
      orchestratorEnv: { RECMESH_MAX_INFLIGHT_ITEMS: '3000' },
    });
    scheduler = new SchedulerClient(t.mesh.orchestrator);
  });
  after(async () => {
    scheduler.close();
    await t.stop();
  });

  it('reports its state per model: policy, phase, batch size, threshold, target, accelerator', async () => {
    const { models } = await scheduler.getState('rmc1');
    assert.equal(models.length, 1);
    const s = models[0];
    assert.deepEqual(
      [
        s?.model,
        s?.policy,
        s?.phase,
        s?.batchSize,
        s?.offloadThreshold,
        s?.targetP95Ms,
        s?.accelerator,
      ],
      ['rmc1', 'static', 'static', 25, -1, 100, true],
    );
    await assert.rejects(
      scheduler.getState('rmc9'),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
  });

  it('sends queries at or above the offload threshold whole to the accelerator pool', async () => {
    const accel = t.mesh.services.find((s) => s.name === 'accel-worker-0');
    const cpu = t.mesh.services.find((s) => s.name === 'dense-worker-0');
    const idOf = (pid: number | undefined) => (id: string) => id.endsWith(`-${pid}`);
    await scheduler.configure({ model: 'rmc1', offloadThreshold: 60 });
    const big = await t.client.rank(syntheticQuery(spec, 80, new Rng(1)));
    assert.equal(big.stages[0]?.batches, 1, 'whole');
    assert.ok(
      big.servedBy?.workers.every(idOf(accel?.pid)),
      `served by ${big.servedBy?.workers.join(',')}`,
    );
    const small = await t.client.rank(syntheticQuery(spec, 59, new Rng(2)));
    assert.equal(small.stages[0]?.batches, 3);
    assert.ok(small.servedBy?.workers.every(idOf(cpu?.pid)));
    await scheduler.configure({ model: 'rmc1', offloadThreshold: -1 });
  });

  it('switches to DeepRecSched and back, and refuses a bad policy by name', async () => {
    let s = (await scheduler.configure({ model: 'rmc1', policy: 'deeprecsched' })).models[0];
    assert.equal(s?.phase, 'measuring');
    await assert.rejects(
      scheduler.configure({ policy: 'lifo' }),
      (e: ServiceError) => e.code === status.INVALID_ARGUMENT && /policy = "lifo"/.test(e.details),
    );
    s = (await scheduler.configure({ model: 'rmc1', policy: 'static', batchSize: 25 })).models[0];
    assert.deepEqual([s?.phase, s?.batchSize], ['static', 25]);
  });

  it('recmesh scheduler state and set show and change it from the command line', async () => {
    const target = ['--target', t.mesh.orchestrator, '--model', 'rmc1', '--json'];
    const set = await recmesh(['scheduler', 'set', ...target, '--batch-size', '64']);
    assert.equal(set.code, 0, set.stderr);
    const shown = await recmesh(['scheduler', 'state', ...target]);
    assert.equal(shown.code, 0, shown.stderr);
    const [s] = shown.json<{ models: { batchSize: number; phase: string }[] }>().models;
    assert.deepEqual([s?.batchSize, s?.phase], [64, 'static']);
    assert.match(shown.stderr, /rmc1\s+static\s+static\s+64/);
    const bad = await recmesh(['scheduler', 'set', ...target, '--batch-size', '0']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--batch-size = "0": must be >= 1/);
    await scheduler.configure({ model: 'rmc1', batchSize: 25 });
  });

  it('sheds load past capacity with RESOURCE_EXHAUSTED, and serves again after', async () => {
    const rng = new Rng(3);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => t.client.rank(syntheticQuery(spec, 800, rng))),
    );
    const shed = results.filter(
      (r) =>
        r.status === 'rejected' && (r.reason as ServiceError).code === status.RESOURCE_EXHAUSTED,
    );
    assert.ok(shed.length > 0, 'some queries were shed');
    assert.ok(
      results.some((r) => r.status === 'fulfilled'),
      'some were served',
    );
    assert.match(
      (shed[0] as PromiseRejectedResult).reason.details as string,
      /items\.count = 800: .*in flight/,
    );
    assert.equal((await t.client.rank(syntheticQuery(spec, 10, rng))).items.length, 10);
    assert.ok(((await scheduler.getState('rmc1')).models[0]?.shed ?? 0) >= shed.length);
  });
});
