// Shards and workers that die or go silent: replicas take over, a group with none left is
// UNAVAILABLE by name, and no call waits past its deadline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import { resolveModel } from '@recmesh/models';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { startTestMesh, type TestMesh } from '../support/local-mesh';

const spec = resolveModel('rmc1', { rowScale: 0.0005, seed: 7 });
const rng = new Rng(5);
const query = () => syntheticQuery(spec, 30, rng);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e as ServiceError,
  );

describe('faults', () => {
  let t: TestMesh;
  before(async () => {
    t = await startTestMesh({ models: 'rmc1', shards: 2, replicas: 2, workers: 1 });
  });
  after(() => t.stop());

  const service = (name: string) => {
    const s = t.mesh.services.find((x) => x.name === name);
    assert.ok(s !== undefined, `no service ${name}`);
    return s;
  };

  it('a killed replica is routed around: every query still succeeds', async () => {
    service('shard-0-r0').child.kill('SIGKILL');
    for (let i = 0; i < 20; i++) {
      const reply = await t.client.rank(query());
      assert.equal(reply.items.length, 10);
      assert.ok(
        !reply.servedBy?.shards.some((id) => id.endsWith(String(service('shard-0-r0').pid))),
      );
    }
  });

  it('a group with no replica left is UNAVAILABLE, named, at once', async () => {
    service('shard-1-r0').child.kill('SIGKILL');
    service('shard-1-r1').child.kill('SIGKILL');
    const started = Date.now();
    const err = await failure(t.client.rank(query(), { timeoutMs: 5000 }));
    assert.equal(err.code, status.UNAVAILABLE, err.details);
    assert.match(err.details, /shard/);
    assert.match(err.details, /shard-1|table/);
    assert.ok(Date.now() - started < 2000, 'not a wait for the deadline');
  });
});

describe('a worker whose heartbeats stop', () => {
  let t: TestMesh;
  before(async () => {
    t = await startTestMesh({ models: 'rmc1', shards: 1, workers: 1 });
  });
  after(async () => {
    t.mesh.services.find((s) => s.role === 'dense-worker')?.child.kill('SIGCONT');
    await t.stop();
  });

  it('never holds a call past its deadline, is dropped after three missed heartbeats, and comes back', async () => {
    const worker = t.mesh.services.find((s) => s.role === 'dense-worker');
    assert.ok(worker !== undefined);
    worker.child.kill('SIGSTOP');
    const started = Date.now();
    const late = await failure(t.client.rank(query(), { timeoutMs: 800 }));
    const took = Date.now() - started;
    assert.equal(late.code, status.DEADLINE_EXCEEDED, late.details);
    assert.ok(took < 1300, `answered after ${took} ms with an 800 ms deadline`);

    // Heartbeat 1 s: dropped after 3 missed.
    await new Promise((r) => setTimeout(r, 3500));
    const quick = Date.now();
    const gone = await failure(t.client.rank(query(), { timeoutMs: 5000 }));
    assert.equal(gone.code, status.UNAVAILABLE, gone.details);
    assert.match(gone.details, /no live dense worker serves rmc1/);
    assert.ok(Date.now() - quick < 500);

    worker.child.kill('SIGCONT');
    const back = Date.now() + 5000;
    for (;;) {
      const ok = await t.client.rank(query()).then(
        () => true,
        () => false,
      );
      if (ok) break;
      assert.ok(
        Date.now() < back,
        'the worker was not routed to again after its heartbeats resumed',
      );
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
