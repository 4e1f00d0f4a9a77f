// The books are idempotent by event id and by stream message, and survive closing and reopening.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Booking, Store, type Rejection } from '@recmesh/carbon-books';
import { event, grid, profiles } from './fixtures';

const booking = new Booking({ profiles, grid: grid(), pue: 1 });
const rejection = (seq: number): Rejection => ({
  key: `S@t#${seq}`,
  eventId: '',
  subject: 'recmesh.t.usage.x',
  reason: 'missing_id',
  message: 'id = "": missing',
  payload: new Uint8Array([1, 2, 3]),
});

describe('the store', () => {
  it('counts an event once however often it is booked, and counts the repeats', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'books.sqlite');
    const store = new Store(path);
    const a = booking.cost(event({ id: 'a' }));
    const b = booking.cost(event({ id: 'b', busyS: 3 }));
    assert.deepEqual(
      (({ booked, duplicates, rejected }) => ({ booked, duplicates, rejected }))(
        store.book([a, b], [rejection(7)]),
      ),
      { booked: 2, duplicates: 0, rejected: 1 },
    );
    // The same batch again (a crash after the commit, before the acks): nothing new.
    const again = store.book([a, b], [rejection(7)]);
    assert.deepEqual([again.booked, again.duplicates, again.rejected], [0, 2, 0]);
    store.close();
    const reopened = new Store(path);
    const row = reopened.db
      .prepare('SELECT COUNT(*) AS n, TOTAL(busy_s) AS busy FROM usage_events')
      .get() as { n: number; busy: number };
    assert.deepEqual(row, { n: 2, busy: 4 });
    assert.equal(reopened.counter('duplicate_events'), 2);
    assert.equal(
      (reopened.db.prepare('SELECT COUNT(*) AS n FROM rejected_events').get() as { n: number }).n,
      1,
    );
    assert.equal(reopened.db.pragma('journal_mode', { simple: true }), 'wal');
    reopened.close();
  });
  it('rolls a whole batch back when one write fails', () => {
    const store = new Store(':memory:');
    const good = booking.cost(event({ id: 'good' }));
    const bad = { ...booking.cost(event({ id: 'bad' })), service: null as unknown as string };
    assert.throws(() => store.book([good, bad], []), /NOT NULL constraint failed/);
    assert.equal(
      (store.db.prepare('SELECT COUNT(*) AS n FROM usage_events').get() as { n: number }).n,
      0,
    );
    store.close();
  });
});
