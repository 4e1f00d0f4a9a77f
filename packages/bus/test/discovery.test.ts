import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  connectBus,
  PeerRegistry,
  startAnnouncer,
  type Announcement,
  type NatsConnection,
} from '../src/index';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const announcement = (id: string, heartbeatMs: number): Announcement => ({
  id,
  role: 'embedding-shard',
  address: '127.0.0.1:1',
  backend: 'cpu',
  models: ['rmc1'],
  group: 'g0',
  partitions: [{ model: 'rmc1', table: 0, rowStart: 0, rowEnd: 10 }],
  metricsPort: 0,
  heartbeatMs,
  startedAt: Date.now(),
  pid: process.pid,
  ready: true,
});

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
};

describe('discovery over NATS (real server)', () => {
  let nc: NatsConnection;
  const mesh = `unit-${process.pid}`;
  before(async () => {
    nc = await connectBus({ servers: NATS_URL, name: 'discovery-test' });
  });
  after(() => nc.close());

  it('learns a peer from its announcement, and a late registry learns it through discover', async () => {
    const announcer = startAnnouncer(nc, mesh, () => announcement('a', 10_000));
    const registry = new PeerRegistry(nc, mesh);
    registry.start(20);
    // The heartbeat is 10 s: only the discover request can bring it in this fast.
    assert.ok(await until(() => registry.list('embedding-shard').length === 1, 1000));
    assert.equal(registry.list('dense-worker').length, 0);
    await announcer.stop();
    assert.ok(await until(() => registry.list().length === 0, 1000), 'leave message drops it');
    registry.stop();
  });

  it('drops a peer that misses three heartbeats', async () => {
    const registry = new PeerRegistry(nc, mesh);
    registry.start(20);
    // The peer on a connection of its own, closed without a goodbye: as a hung or cut-off
    // process would go silent.
    const peer = await connectBus({ servers: NATS_URL, name: 'silent-peer' });
    startAnnouncer(peer, mesh, () => announcement('b', 100));
    assert.ok(await until(() => registry.list().length === 1, 1000));
    await peer.close();
    const silentAt = Date.now();
    assert.ok(await until(() => registry.list().length === 0, 2000));
    const gone = Date.now() - silentAt;
    assert.ok(gone >= 200 && gone < 1000, `dropped ${gone} ms after its last heartbeat`);
    registry.stop();
  });
});
