// The live grid feed on the real NATS server: points replayed from the start of the stream, the
// effective time is never before the point was stored, and a bad message is rejected by name.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectBus, subjectsFor, type NatsConnection } from '@recmesh/bus';
import { GridSeries, resolveRegion, regionTable } from '@recmesh/carbon';
import { deleteGridStream, followGrid, publishGridPoint } from '@recmesh/carbon-io';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

describe('grid feed over NATS JetStream', () => {
  let nc: NatsConnection;
  const mesh = `gridtest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  before(async () => {
    nc = await connectBus({ servers: NATS_URL, name: mesh });
  });
  after(async () => {
    await deleteGridStream(nc, mesh);
    await nc.close();
  });

  it('a follower replays stored points, then follows new ones', async () => {
    const now = Math.ceil(Date.now() / 1000) * 1000; // a whole second
    await publishGridPoint(nc, mesh, {
      region: 'usa',
      fromMs: now + 60_500, // takes effect on the next whole second, a usage-window boundary
      gPerKwh: 200,
      source: 'test feed',
    });
    await publishGridPoint(nc, mesh, {
      region: 'europe',
      fromMs: now + 60_000,
      gPerKwh: 999,
      source: 'other region',
    });
    await publishGridPoint(nc, mesh, {
      region: 'usa',
      fromMs: 0,
      gPerKwh: 300,
      source: 'dated in the past',
    });
    const series = new GridSeries('usa', resolveRegion(regionTable(), 'usa'));
    const rejected: string[] = [];
    const follower = await followGrid(nc, mesh, 'usa', {
      onPoint: (p) => series.add(p),
      onReject: (why) => rejected.push(why),
    });
    await follower.ready;
    assert.equal(series.size, 3);
    assert.equal(series.at(now + 60_999).gPerKwh, 300);
    assert.equal(series.at(now + 61_000).gPerKwh, 200);
    // The past-dated point took effect when it was stored, not at time 0.
    assert.equal(series.at(now - 1000).gPerKwh, 380);
    nc.publish(
      subjectsFor(mesh).grid('usa'),
      new TextEncoder().encode('{"from": 5, "g_per_kwh": -3}'),
    );
    await publishGridPoint(nc, mesh, {
      region: 'usa',
      fromMs: now + 120_000,
      gPerKwh: 100,
      source: 'live',
    });
    for (let i = 0; i < 50 && series.at(now + 120_000).gPerKwh !== 100; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(series.at(now + 120_000).gPerKwh, 100);
    assert.equal(rejected.length, 1);
    assert.match(rejected[0] as string, /grid point #\d+\.g_per_kwh = -3: must be a number >= 0/);
    await follower.stop();
  });
});
