// A query sends the dense workers its sparse features only when every worker that could take its
// Predict holds the model version's tables; otherwise it pools through the shards.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Announcement, HeldModelVersion, Role } from '@recmesh/bus';
import type { PeerSource } from '../src/routing/peer-source';
import { Router, workerHoldsTables } from '../src/routing/router';
import { announce } from './support/announce';

class Peers extends EventEmitter<{ change: [] }> implements PeerSource {
  constructor(readonly peers: Announcement[]) {
    super();
  }
  list(role?: Role): Announcement[] {
    return this.peers.filter((p) => role === undefined || p.role === role);
  }
  evict(): void {}
}

const worker = (id: string, versions: HeldModelVersion[], pool?: 'accel'): Announcement => ({
  ...announce(id),
  role: 'dense-worker',
  models: ['m'],
  modelVersions: versions,
  ...(pool === undefined ? {} : { pool }),
});

const routerOf = (...workers: Announcement[]) =>
  new Router([new Peers(workers)], { names: () => [], find: () => undefined });

describe('worker tables', () => {
  it('workerHoldsTables: only the version the worker announces with its tables', () => {
    const w = worker('w', [
      { model: 'm', version: 1 },
      { model: 'm', version: 2, tables: true },
    ]);
    assert.equal(workerHoldsTables(w, 'm', 1), false);
    assert.equal(workerHoldsTables(w, 'm', 2), true);
    assert.equal(workerHoldsTables(w, 'other', 2), false);
    assert.equal(workerHoldsTables({ ...w, modelVersions: undefined }, 'm', 1), false);
  });

  it('workerTables: every worker of the pool that holds the version holds its tables', () => {
    const withTables = worker('a', [{ model: 'm', version: 1, tables: true }]);
    const without = worker('b', [{ model: 'm', version: 1 }]);
    assert.equal(routerOf(withTables).workerTables('m', 1), true);
    // A rolling deploy: one worker without the tables, and queries pool through the shards.
    assert.equal(routerOf(withTables, without).workerTables('m', 1), false);
    // A worker of the other pool, or of another version, does not count.
    const accel = worker('c', [{ model: 'm', version: 1 }], 'accel');
    const older = worker('d', [{ model: 'm', version: 2 }]);
    assert.equal(routerOf(withTables, accel, older).workerTables('m', 1), true);
    assert.equal(routerOf(withTables, accel).workerTables('m', 1, 'accel'), false);
    // No worker at all: nothing to send lookups to.
    assert.equal(routerOf().workerTables('m', 1), false);
  });
});
