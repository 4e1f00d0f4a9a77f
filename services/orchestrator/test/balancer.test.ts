import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Balancer } from '../src/routing/balancer';
import { announce } from './support/announce';

describe('Balancer', () => {
  const peers = [announce('a'), announce('b')];

  it('picks the replica with the fewest calls outstanding, round-robin on ties', () => {
    const b = new Balancer();
    const first = b.pick(peers)?.id;
    const second = b.pick(peers)?.id;
    assert.notEqual(first, second, 'ties alternate');
    b.begin('a');
    for (let i = 0; i < 4; i++) assert.equal(b.pick(peers)?.id, 'b');
    b.end('a');
    assert.equal(b.pick(peers, new Set(['b']))?.id, 'a');
  });

  it('takes turns within each replica set, whatever is picked between (two groups and a pool)', () => {
    const b = new Balancer();
    const g0 = [announce('g0-r0'), announce('g0-r1')];
    const g1 = [announce('g1-r0'), announce('g1-r1')];
    const pool = [announce('worker')];
    const seen = { g0: [] as string[], g1: [] as string[] };
    for (let i = 0; i < 4; i++) {
      seen.g0.push(b.pick(g0)?.id ?? '');
      seen.g1.push(b.pick(g1)?.id ?? '');
      assert.equal(b.pick(pool)?.id, 'worker');
    }
    assert.equal(new Set(seen.g0).size, 2, `group 0 went to ${seen.g0.join(', ')}`);
    assert.equal(new Set(seen.g1).size, 2, `group 1 went to ${seen.g1.join(', ')}`);
  });

  it('picks a demoted replica last until the demotion ends or it answers', () => {
    let now = 1000;
    const b = new Balancer(() => now);
    b.demote('a', 3000);
    b.begin('b');
    b.begin('b');
    for (let i = 0; i < 4; i++) assert.equal(b.pick(peers)?.id, 'b', 'even with more outstanding');
    assert.equal(b.pick(peers, new Set(['b']))?.id, 'a', 'still picked when no other is left');
    now += 3001;
    assert.equal(b.pick(peers)?.id, 'a', 'demotion over');
    b.demote('a', 3000);
    b.answered('a');
    assert.equal(b.pick(peers)?.id, 'a', 'an answer restores it');
  });

  it('tells a replica that answered since a moment from one that did not', () => {
    let now = 1000;
    const b = new Balancer(() => now);
    assert.equal(b.answeredSince('a', 0), false);
    b.answered('a');
    now = 2000;
    assert.equal(b.answeredSince('a', 1000), true);
    assert.equal(b.answeredSince('a', 1001), false);
  });
});
