// The books are exact across a crash: the ledger is killed with SIGKILL in the middle of a stream
// of known usage events (some re-sent, some malformed) on the real NATS server, started again, and
// its totals equal what was published: nothing lost, nothing counted twice, every bad event kept
// with its reason.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import Database from 'better-sqlite3';
import {
  connectBus,
  deleteUsageStream,
  ensureUsageStream,
  subjectsFor,
  type NatsConnection,
} from '@recmesh/bus';
import { deleteGridStream } from '@recmesh/carbon-io';
import { UsageEvent } from '@recmesh/proto';
import { NATS_URL } from '../support/local-mesh';
import {
  ledgerReport,
  startLedger,
  stopProcess,
  until,
  type LedgerProcess,
} from '../support/ledger-process';
import { usageEvent } from '../support/usage-event';

const N = 6000;
/** Busy seconds are multiples of 1/256 (exact in binary), so every sum is exact in any order. */
const busyOf = (i: number) => ((i % 64) + 1) / 256;

function usage(i: number, over: Partial<UsageEvent> = {}): UsageEvent {
  const id = `ev-${String(i).padStart(6, '0')}`;
  const service = i % 3 === 0 ? 'orchestrator' : 'embedding-shard';
  return usageEvent({ id, service, busyS: busyOf(i), ...over });
}

describe('ledger crash recovery on the real NATS server', () => {
  let nc: NatsConnection;
  const mesh = `crash-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'recmesh-ledger-'));
  const env = {
    RECMESH_MESH: mesh,
    NATS_URL,
    RECMESH_LEDGER_DB: join(dir, 'books.sqlite'),
    RECMESH_LEDGER_BATCH: '25',
    RECMESH_LEDGER_ACK_WAIT_MS: '1500',
  };
  let ledger: LedgerProcess | undefined;

  before(async () => {
    nc = await connectBus({ servers: NATS_URL, name: mesh });
    await ensureUsageStream(nc, mesh);
  });
  after(async () => {
    if (ledger !== undefined) await stopProcess(ledger.child);
    await deleteUsageStream(nc, mesh);
    await deleteGridStream(nc, mesh);
    await nc.close();
  });

  it('kill -9 mid-stream, restart: totals equal what was published', async () => {
    const js = jetstream(nc);
    const subject = subjectsFor(mesh).usage('test');
    const send = (e: UsageEvent | Uint8Array, msgID: string) =>
      js.publish(subject, e instanceof Uint8Array ? e : UsageEvent.encode(e).finish(), { msgID });
    ledger = await startLedger(env);

    // Publish while the ledger consumes: N good events, every 500th sent again under another
    // message id (so JetStream keeps both copies), and five bad ones.
    let resent = 0;
    const publishing = (async () => {
      for (let start = 0; start < N; start += 250) {
        const chunk = Array.from({ length: Math.min(250, N - start) }, (_, k) => start + k);
        await Promise.all(chunk.map((i) => send(usage(i), `m-${i}`)));
        for (const i of chunk.filter((i) => i % 500 === 0)) {
          await send(usage(i), `again-${i}`);
          resent++;
        }
      }
      await send(usage(N, { id: '' }), 'bad-id');
      await send(usage(N + 1, { energyJ: -1, energyMethod: 'measured' }), 'bad-energy');
      await send(usage(N + 2, { busyS: NaN }), 'bad-busy');
      await send(usage(N + 3, { profile: 'cray-1' }), 'bad-profile');
      await send(new Uint8Array([0xff, 0xff, 0xff]), 'bad-bytes');
    })();

    const first = ledger;
    const atKill = await until(
      'the first bookings',
      async () => {
        const r = await ledgerReport(first.address);
        return r.events >= N / 6 ? r.events : undefined;
      },
      60_000,
      5,
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    assert.ok(atKill < N, `killed mid-stream (${atKill} of ${N} booked)`);

    ledger = await startLedger(env);
    await publishing;
    const second = ledger;
    const r = await until(
      'every event booked',
      async () => {
        const rep = await ledgerReport(second.address);
        return rep.events === N && rep.rejectedEvents === 5 ? rep : undefined;
      },
      60_000,
      50,
    );
    // And nothing more arrives later (redeliveries after the ack wait are all duplicates).
    await new Promise((res) => setTimeout(res, 2000));
    const settled = await ledgerReport(second.address);

    let busy = 0;
    for (let i = 0; i < N; i++) busy += busyOf(i);
    const rows = settled.rows;
    assert.equal(settled.events, N);
    assert.equal(
      rows.reduce((s, x) => s + x.busyS, 0),
      busy,
    );
    assert.equal(
      rows.reduce((s, x) => s + x.queries, 0),
      N,
    );
    assert.equal(settled.queries, Math.ceil(N / 3)); // R: the orchestrator's events
    assert.ok(
      settled.duplicateEvents >= resent,
      `${settled.duplicateEvents} duplicates seen, ${resent} re-sent`,
    );
    assert.equal(settled.totalG, r.totalG);

    const db = new Database(env.RECMESH_LEDGER_DB, { readonly: true });
    const ids = (
      db.prepare('SELECT id FROM usage_events ORDER BY id').all() as { id: string }[]
    ).map((x) => x.id);
    const reasons = db
      .prepare('SELECT reason, message FROM rejected_events ORDER BY reason')
      .all() as { reason: string; message: string }[];
    db.close();
    assert.deepEqual(
      ids,
      Array.from({ length: N }, (_, i) => usage(i).id),
    );
    assert.deepEqual(
      reasons.map((x) => x.reason),
      ['bad_number', 'bad_number', 'missing_id', 'undecodable', 'unknown_profile'],
    );
    assert.ok(reasons.some((x) => x.message === 'energy_j = -1: must be a finite number >= 0'));
    assert.ok(reasons.some((x) => x.message === 'busy_s = NaN: must be a finite number >= 0'));
    process.stdout.write(
      `# kill -9 after ${atKill} of ${N} booked; published ${N} (+${resent} re-sent, 5 bad), counted ${settled.events}, ` +
        `duplicates ignored ${settled.duplicateEvents}, rejected ${settled.rejectedEvents}\n`,
    );
  });
});
