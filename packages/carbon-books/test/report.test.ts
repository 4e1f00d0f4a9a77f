// The arithmetic of the SCI report, by hand: totals, R counted at the orchestrators only, each
// row's share per ranked query, time windows, the time range, receipts beside the books.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Booking, report, Store } from '@recmesh/carbon-books';
import { event, grid, profiles } from './fixtures';

const factors = { profiles, grid: grid(), pue: 1 };
const booking = new Booking(factors);
const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

function books(): Store {
  const store = new Store(':memory:');
  // 1 J = 1e-4 g before t = 10 s, 2e-4 g after; every busy second is 11 J.
  const events = [
    event({
      id: 'o1',
      service: 'orchestrator',
      queries: 3,
      busyS: 0,
      windowStartMs: 1000,
      windowEndMs: 2000,
      receiptOperationalG: 0.01,
      receiptEmbodiedG: 0.001,
    }),
    event({
      id: 's1',
      service: 'embedding-shard',
      queries: 6,
      busyS: 1,
      windowStartMs: 1000,
      windowEndMs: 2000,
    }),
    event({
      id: 'w1',
      service: 'dense-worker',
      queries: 3,
      busyS: 2,
      windowStartMs: 1000,
      windowEndMs: 2000,
    }),
    event({
      id: 'o2',
      service: 'orchestrator',
      queries: 1,
      busyS: 0,
      windowStartMs: 11_000,
      windowEndMs: 12_000,
      receiptOperationalG: 0.02,
    }),
    event({
      id: 's2',
      service: 'embedding-shard',
      queries: 2,
      busyS: 1,
      windowStartMs: 11_000,
      windowEndMs: 12_000,
      energyJ: 5,
      energyMethod: 'measured',
      energySource: 'RAPL package-0',
    }),
  ];
  store.book(
    events.map((e) => booking.cost(e)),
    [],
  );
  for (const p of factors.grid.all()) store.saveGridPoint('test', p);
  return store;
}

describe('report arithmetic', () => {
  const embodiedPerS = 1000 / (10 * 8766 * 3600);
  it('totals, R and the SCI over everything', () => {
    const r = report(books(), profiles, { sinceS: 0, windowS: 0 }, 20_000);
    const op = (11 + 22) * 1e-4 + 5 * 2e-4; // shard 1 s and worker 2 s before the step; 5 J measured after it
    const emb = 4 * embodiedPerS;
    close(r.operationalG, op, 'operational');
    close(r.embodiedG, emb, 'embodied');
    assert.equal(r.queries, 4); // orchestrator queries only: shard and worker calls are not R
    close(r.gPerQuery, (op + emb) / 4, 'SCI');
    close(r.receiptsG, 0.031, 'receipts');
    assert.equal(r.events, 5);
    assert.equal(r.measuredEnergyJ, 5);
    assert.deepEqual([r.windowStartMs, r.windowEndMs], [1000, 12_000]);
  });
  it("each row's share per ranked query, and its energy method", () => {
    const r = report(books(), profiles, { sinceS: 0, windowS: 0 }, 20_000);
    const shard = r.rows.find((x) => x.service === 'embedding-shard');
    assert.ok(shard !== undefined);
    assert.equal(shard.queries, 8);
    assert.equal(shard.energyMethod, 'mixed');
    close(shard.gPerQuery, shard.totalG / 4, 'shard per query');
    close(
      r.rows.reduce((s, x) => s + x.gPerQuery, 0),
      r.gPerQuery,
      'rows add up to the SCI',
    );
  });
  it('since: only windows that ended in the range; windows: buckets of R and carbon', () => {
    const recent = report(books(), profiles, { sinceS: 15, windowS: 0 }, 20_000); // from t = 5 s
    assert.equal(recent.queries, 1);
    close(recent.operationalG, 5 * 2e-4, 'recent operational');
    const w = report(books(), profiles, { sinceS: 0, windowS: 5 }, 20_000);
    assert.deepEqual(
      w.windows.map((x) => [x.startMs, x.endMs, x.queries]),
      [
        [1000, 6000, 3],
        [11_000, 16_000, 1],
      ],
    );
    close(
      w.windows[0]?.gPerQuery ?? 0,
      ((11 + 22) * 1e-4 + 3 * embodiedPerS) / 3,
      'first window SCI',
    );
  });
  it('states its sources with years, its boundary and its method', () => {
    const r = report(books(), profiles, { sinceS: 0, windowS: 0 }, 20_000);
    const grids = r.sources.filter((s) => s.what.startsWith('grid intensity'));
    assert.deepEqual(
      grids.map((s) => [s.value.split(' ')[0], s.source, s.year]),
      [
        ['360', 'test table', 2026],
        ['720', 'test feed', 2026],
      ],
    );
    assert.ok(r.sources.some((s) => s.what === 'PUE'));
    assert.ok(r.sources.some((s) => s.what === 'hardware profile box'));
    assert.ok(
      r.sources.some((s) => s.what === 'energy (measured)' && s.source === 'RAPL package-0'),
    );
    assert.match(r.boundary, /R = one ranked query/);
    assert.match(r.method, /SCI = \(E x I \+ M\) per R/);
  });
  it('an empty ledger reports zeros, not NaN', () => {
    const r = report(new Store(':memory:'), profiles, { sinceS: 3600, windowS: 60 }, 20_000);
    assert.deepEqual([r.events, r.totalG, r.gPerQuery, r.windows.length], [0, 0, 0, 0]);
  });
});
