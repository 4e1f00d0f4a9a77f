import assert from 'node:assert/strict';
import { EventEmitter, on } from 'node:events';
import { after, describe, it } from 'node:test';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { Announcement, Role } from '@recmesh/bus';
import { isRecmeshError } from '@recmesh/errors';
import type { LookupRequest } from '@recmesh/proto';
import { lookup, type FanOutDeps } from '../src/rank/fan-out';
import { Balancer } from '../src/routing/balancer';
import { ClientPool } from '../src/routing/client-pool';
import { DEFAULT_HEDGE, HedgePolicy } from '../src/routing/hedge-policy';
import type { PeerSource } from '../src/routing/peer-source';
import { Router } from '../src/routing/router';
import { announce } from './support/announce';
import { startReplica, type Behaviour } from './support/replica';

/** Peers given by hand; records evictions. */
class Peers extends EventEmitter<{ change: [] }> implements PeerSource {
  readonly evicted: string[] = [];
  constructor(private peers: Announcement[]) {
    super();
  }
  list(role?: Role): Announcement[] {
    return this.peers.filter((p) => role === undefined || p.role === role);
  }
  evict(id: string): void {
    this.evicted.push(id);
    this.peers = this.peers.filter((p) => p.id !== id);
    this.emit('change');
  }
}

const request: LookupRequest = { model: 'm', version: 0, lookups: [] };
const clients = new ClientPool();
const stops: (() => void)[] = [];
after(() => {
  clients.close();
  for (const stop of stops) stop();
});

/** A mesh of replicas r0, r1, ... of group g with the given behaviours; `first` is picked first. */
async function setup(behaviours: Behaviour[], hedge?: HedgePolicy, first = 0) {
  const replicas = await Promise.all(behaviours.map((b, i) => startReplica(`r${i}`, b)));
  stops.push(...replicas.map((r) => r.stop));
  return { replicas, ...meshOf(replicas, hedge, first) };
}

/** Routing over the given replicas of group g; `first` is the replica picked first. */
function meshOf(replicas: { id: string; address: string }[], hedge?: HedgePolicy, first = 0) {
  const peers = new Peers(replicas.map((r) => announce(r.id, r.address)));
  const balancer = new Balancer();
  // Every other replica carries one call, so `first` is picked first.
  replicas.forEach((r, i) => i !== first && balancer.begin(r.id));
  const deps: FanOutDeps = {
    router: new Router([peers], { names: () => [], find: () => undefined }),
    balancer,
    clients,
    hedge,
  };
  return { peers, balancer, deps };
}

/**
 * A `slow` replica in a process of its own, so that it answers while this one is busy;
 * `nextCall` waits for the next call it receives and gives its model.
 */
async function startReplicaProcess(id: string) {
  const child = fork(join(__dirname, 'support', 'replica-process.ts'), [id], {
    execArgv: ['--import', 'tsx'],
  });
  stops.push(() => child.kill());
  const messages = (async function* () {
    for await (const [message] of on(child, 'message'))
      yield message as { address?: string; call?: string };
  })();
  const next = async () => (await messages.next()).value ?? {};
  const { address } = await next();
  if (address === undefined) throw new Error(`replica process ${id} did not say its address`);
  return { id, address, nextCall: async () => (await next()).call };
}

/** Sends r0 a 10 ms call every 20 ms for `ms` (without hedging): r0 is busy, not silent. */
async function keepBusy(deps: FanOutDeps, ms: number): Promise<void> {
  const plain = { ...deps, hedge: undefined };
  const calls: Promise<unknown>[] = [];
  for (let t = 0; t < ms; t += 20) {
    calls.push(callFirst(plain, 'delay:10'));
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(calls);
}

/** A lookup that the replica other than `other` (r0 by default) gets first: `other` looks loaded. */
function callFirst(deps: FanOutDeps, model: string, other = 'r1') {
  for (let i = 0; i < 100; i++) deps.balancer.begin(other);
  const pending = lookup(deps, 'g', { model, version: 0, lookups: [] }, {});
  for (let i = 0; i < 100; i++) deps.balancer.end(other);
  return pending;
}

/** A hedge policy that counts the hedges it allowed. */
class CountingHedge extends HedgePolicy {
  sent = 0;
  override tryHedge(): boolean {
    const allowed = super.tryHedge();
    if (allowed) this.sent++;
    return allowed;
  }
}

const hedgeAfter = (ms: number) =>
  new HedgePolicy({ ...DEFAULT_HEDGE, minDelayMs: 0, initialDelayMs: ms });

describe('fan-out to replicas', () => {
  it('retries the next replica when one is unavailable, and evicts it', async () => {
    const { replicas, peers, deps } = await setup(['answer', 'answer']);
    replicas[0]?.stop();
    const reply = await lookup(deps, 'g', request, { deadline: Date.now() + 5000 });
    assert.equal(reply.shardId, 'r1');
    assert.deepEqual(peers.evicted, ['r0']);
  });

  it('hedges a call that a replica leaves unanswered: the other answers, the first is cancelled and demoted', async () => {
    const { replicas, deps, balancer } = await setup(['stall', 'answer'], hedgeAfter(50));
    const started = performance.now();
    const reply = await lookup(deps, 'g', request, { deadline: Date.now() + 5000 });
    const ms = performance.now() - started;
    assert.equal(reply.shardId, 'r1');
    assert.ok(ms >= 45 && ms < 1000, `answered after the 50 ms hedge delay, took ${ms} ms`);
    const stalled = replicas[0]?.seen;
    for (let i = 0; i < 50 && stalled?.cancelled === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(stalled?.cancelled, 1, 'the losing attempt was cancelled');
    // r1 still carries the call setup() gave it, r0 none: only the demotion keeps r0 last.
    assert.equal(balancer.pick(deps.router.replicas('g'))?.id, 'r1');
  });

  // The hedge delay (150 ms) is many times the busy replica's 20 ms rhythm: only a stall of this
  // whole process (both replicas live in it) that long could pass for silence.
  it('does not hedge a call to a replica that is busy answering others (load, not silence)', async () => {
    const { replicas, deps } = await setup(['slow', 'answer'], hedgeAfter(150));
    const busy = keepBusy(deps, 800);
    const long = await callFirst(deps, 'delay:600');
    await busy;
    assert.equal(long.shardId, 'r0', 'r0 kept answering short calls meanwhile: no hedge');
    assert.equal(replicas[1]?.seen.calls, 0);
  });

  it('hedges a call whose replica goes silent while it waits, after being busy', async () => {
    const { deps } = await setup(['slow', 'answer'], hedgeAfter(150));
    const busy = keepBusy(deps, 300);
    const started = performance.now();
    const reply = await callFirst(deps, 'delay:60000');
    const ms = performance.now() - started;
    await busy;
    assert.equal(reply.shardId, 'r1', 'hedged to the other replica');
    assert.ok(ms >= 300 && ms < 2000, `hedged once r0 went quiet, after ${Math.round(ms)} ms`);
  });

  it('does not hedge for its own stall: answers that came in while this process was busy are read first', async () => {
    const hedge = new CountingHedge({ ...DEFAULT_HEDGE, minDelayMs: 0, initialDelayMs: 100 });
    const r0 = await startReplicaProcess('r0');
    const r1 = await startReplica('r1', 'answer');
    stops.push(r1.stop);
    const { deps } = meshOf([r0, r1], hedge);
    const plain = { ...deps, hedge: undefined };
    assert.equal((await callFirst(plain, 'delay:0')).shardId, 'r0');
    assert.equal((await callFirst(plain, 'delay:0', 'r0')).shardId, 'r1', 'connected to both');
    assert.equal(await r0.nextCall(), 'delay:0');

    const pending = callFirst(deps, 'delay:30');
    assert.equal(await r0.nextCall(), 'delay:30');
    // r0 answers 30 ms into this stall; the hedge timer (100 ms) comes due during it.
    const until = performance.now() + 300;
    while (performance.now() < until);
    assert.equal((await pending).shardId, 'r0');
    assert.equal(hedge.sent, 0, "r0's answer was read before judging it silent: no hedge");
  });

  it('sends no hedge when the budget is spent, nor where the group has one replica', async () => {
    const spent = hedgeAfter(20);
    while (spent.tryHedge());
    const two = await setup(['stall', 'answer'], spent);
    await assert.rejects(
      lookup(two.deps, 'g', request, { deadline: Date.now() + 300 }),
      (err: unknown) => isRecmeshError(err) && err.kind === 'deadline_exceeded',
    );
    assert.equal(two.replicas[1]?.seen.calls, 0);

    const one = await setup(['stall'], hedgeAfter(20));
    await assert.rejects(
      lookup(one.deps, 'g', request, { deadline: Date.now() + 300 }),
      (err: unknown) => isRecmeshError(err) && err.kind === 'deadline_exceeded',
    );
  });

  it("does not retry a replica's own refusal", async () => {
    const { replicas, deps } = await setup(['invalid', 'answer'], hedgeAfter(1000));
    await assert.rejects(
      lookup(deps, 'g', request, { deadline: Date.now() + 5000 }),
      (err: unknown) =>
        isRecmeshError(err) &&
        err.kind === 'invalid_argument' &&
        /r0 at 127\.0\.0\.1/.test(err.message),
    );
    assert.equal(replicas[1]?.seen.calls, 0);
  });

  it('a cancelled query cancels every attempt in flight', async () => {
    const { replicas, deps } = await setup(['stall', 'stall'], hedgeAfter(20));
    const controller = new AbortController();
    const pending = lookup(deps, 'g', request, {
      deadline: Date.now() + 5000,
      signal: controller.signal,
    });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    await assert.rejects(
      pending,
      (err: unknown) => isRecmeshError(err) && err.kind === 'cancelled',
    );
    for (let i = 0; i < 50 && replicas.some((r) => r.seen.cancelled === 0); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      replicas.map((r) => [r.seen.calls, r.seen.cancelled]),
      [
        [1, 1],
        [1, 1],
      ],
    );
  });

  it('reports the call ended once it is settled and every attempt has ended (the request is free)', async () => {
    const counter = () => {
      const c = { n: 0, ended: () => c.n++ };
      return c;
    };
    const plain = await setup(['answer']);
    const one = counter();
    await lookup(plain.deps, 'g', request, { deadline: Date.now() + 5000 }, one.ended);
    assert.equal(one.n, 1, 'one attempt, answered: ended as it settles');

    const refused = await setup(['invalid']);
    const failed = counter();
    await assert.rejects(lookup(refused.deps, 'g', request, {}, failed.ended));
    assert.equal(failed.n, 1);

    const hedged = await setup(['stall', 'answer'], hedgeAfter(50));
    const two = counter();
    const reply = await lookup(
      hedged.deps,
      'g',
      request,
      { deadline: Date.now() + 5000 },
      two.ended,
    );
    assert.equal(reply.shardId, 'r1');
    assert.equal(two.n, 0, 'the losing attempt was still being cancelled when the call settled');
    for (let i = 0; i < 100 && two.n === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(two.n, 1, 'ended once the cancelled attempt ended');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(two.n, 1, 'and only once');
  });
});
