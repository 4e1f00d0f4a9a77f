import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { productionSizes, Rng } from '@recmesh/workload';
import { Admission } from '../src/scheduler/admission';
import { HillClimber } from '../src/scheduler/hill-climber';
import { LatencyWindow } from '../src/scheduler/latency-window';
import {
  BATCH_CANDIDATES,
  ModelScheduler,
  type SchedulerSettings,
} from '../src/scheduler/model-scheduler';

/** p95 against batch size: small batches pay per-call overhead, large ones lose parallelism. */
const curve = (best: number) => (b: number) =>
  40 + 30 * Math.abs(Math.log2(b) - Math.log2(best)) ** 1.5;

function climb(start: number, f: (b: number) => number, noise = 0, seed = 1): number {
  const rng = new Rng(seed);
  const c = new HillClimber(BATCH_CANDIDATES, start);
  for (let i = 0; i < 50 && !c.done; i++)
    c.report(f(c.current()) * (1 + noise * (2 * rng.next() - 1)));
  assert.ok(c.done, 'the climb ends');
  return c.best();
}

describe('hill climbing', () => {
  it('converges to the minimum of a synthetic latency curve from below and from above', () => {
    for (const best of [16, 128, 512]) {
      assert.equal(climb(4, curve(best)), best);
      assert.equal(climb(1024, curve(best)), best);
      assert.equal(climb(32, curve(best)), best);
    }
  });

  it('stays within one step of the minimum with 3% measurement noise', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const found = climb(32, curve(128), 0.03, seed);
      assert.ok([64, 128, 256].includes(found), `seed ${seed}: ${found}`);
    }
  });

  it('crosses a one-step plateau inside the noise margin to a better size beyond it', () => {
    const scores: Record<number, number> = { 16: 12, 32: 10, 64: 10.5, 128: 7, 256: 9 };
    assert.equal(
      climb(32, (b) => scores[b] ?? 20),
      128,
    );
  });

  it('walks to an end of the list when the curve is monotone', () => {
    assert.equal(
      climb(32, (b) => 1000 / b),
      1024,
    );
    assert.equal(
      climb(32, (b) => b),
      4,
    );
  });
});

const settings: SchedulerSettings = {
  policy: 'deeprecsched',
  batchSize: 25,
  offloadThreshold: Infinity,
  targetP95Ms: 100,
  windowQueries: 16,
  minWindowMs: 0,
  retuneOnLoadChange: 0.25,
};

/**
 * The schedulers' clock in these tests, ms: it moves only as `feed` completes queries, so the
 * load a window measures is the test's, not the machine's (a slow spell on a shared machine read
 * as a load change re-tunes).
 */
let nowMs = 0;
const clock = () => nowMs;
const scheduler = (over: Partial<SchedulerSettings> = {}) =>
  new ModelScheduler({ ...settings, ...over }, clock);

/** Feeds `windows` windows of queries whose latency is f(batch, offload), one every `everyMs`. */
function feed(
  s: ModelScheduler,
  windows: number,
  f: (batch: number, offload: boolean, items: number) => number,
  items = 100,
  everyMs = 1,
) {
  for (let w = 0; w < windows; w++) {
    for (let q = 0; q < settings.windowQueries; q++) {
      const d = s.decide(items);
      nowMs += everyMs;
      s.observe(d, f(d.batchSize, d.offload, items), items);
    }
  }
}

describe('DeepRecSched online', () => {
  it('measures, climbs the batch size and settles on the best one', () => {
    const s = scheduler();
    assert.equal(s.state().phase, 'measuring');
    feed(s, 20, (b) => curve(256)(b));
    const st = s.state();
    assert.equal(st.phase, 'steady');
    assert.equal(st.batchSize, 256);
    assert.ok(st.history.length > 3);
  });

  it('tunes the offload threshold when an accelerator pool serves the model', () => {
    const s = scheduler();
    s.setAccelerator(true);
    // The accelerator is fast for any query; the climb should send as much as it can there.
    feed(s, 40, (b, offload) => (offload ? 20 : curve(128)(b)));
    const st = s.state();
    assert.equal(st.phase, 'steady');
    assert.ok(
      Number.isFinite(st.offloadThreshold) && st.offloadThreshold <= 100,
      `threshold ${st.offloadThreshold}`,
    );
    assert.equal(s.decide(100).offload, true);
  });

  it('re-tunes when the mesh gets slower, not for a target just missed at capacity', () => {
    const s = scheduler();
    feed(s, 20, (b) => 40 + curve(64)(b)); // settles at 80 ms
    assert.equal(s.state().phase, 'steady');
    feed(s, 3, () => 110);
    assert.equal(s.state().phase, 'steady', 'over target, but only 1.4x the settled latency');
    feed(s, 1, () => 500);
    assert.equal(s.state().phase, 'steady', 'one window over target is not yet a trend');
    feed(s, 1, () => 500);
    assert.equal(s.state().phase, 'measuring');
    assert.equal(s.state().retunes, 1);
  });

  it('re-tunes when the load grows by more than retune_on_load_change, not when it falls', () => {
    const s = scheduler();
    feed(s, 20, (b) => curve(64)(b), 100, 2); // settles at 500 queries/s
    assert.equal(s.state().phase, 'steady');
    feed(s, 3, (b) => curve(64)(b), 100, 4); // half the load: keeps its configuration
    feed(s, 3, (b) => curve(64)(b), 100, 1.7); // 18% more than at settling: within 25%
    assert.deepEqual([s.state().phase, s.state().retunes], ['steady', 0]);
    feed(s, 1, (b) => curve(64)(b), 100, 1.5); // 33% more
    assert.deepEqual([s.state().phase, s.state().retunes], ['measuring', 1]);
  });

  it('scores a window by the latency at the tail query size, through a line fitted to all', () => {
    const w = new LatencyWindow();
    for (const items of [10, 50, 100, 400, 1000])
      w.add({ latencyMs: 5 + 0.2 * items, items, at: 0 });
    assert.ok(Math.abs(w.latencyAt(500) - 105) < 1e-9);
    const flat = new LatencyWindow();
    for (let i = 0; i < 10; i++) flat.add({ latencyMs: 10 + i, items: 100, at: 0 });
    assert.ok(Number.isNaN(flat.latencyAt(500)), 'one size: no line');
  });

  it('finds the best batch under heavy-tailed sizes and noisy latencies', () => {
    // Per query: a serial per-batch overhead, then its batches two at a time (two cores), and
    // noise of +-20%. At the tail size (~300 items) batch 64 is best, 32 and 128 within 15%.
    const rng = new Rng(9);
    const sizes = productionSizes(100, 1000);
    const s = scheduler({ windowQueries: 64 });
    for (let q = 0; q < 64 * 40; q++) {
      const items = sizes.sample(rng);
      const d = s.decide(items);
      nowMs += 1;
      const batches = Math.ceil(items / d.batchSize);
      const waves = Math.ceil(batches / 2);
      const ms = batches * 0.6 + waves * Math.min(items, d.batchSize) * 0.05;
      s.observe(d, ms * (0.8 + 0.4 * rng.next()), items);
    }
    const st = s.state();
    assert.equal(st.phase, 'steady');
    assert.ok([32, 64, 128].includes(st.batchSize), `batch ${st.batchSize}`);
  });

  it('closes a window only when it has both its queries and its time', async () => {
    const s = new ModelScheduler({ ...settings, minWindowMs: 50 });
    feed(s, 2, () => 10);
    assert.equal(s.state().phase, 'measuring');
    await new Promise((r) => setTimeout(r, 60));
    feed(s, 1, () => 10);
    assert.equal(s.state().phase, 'tuning-batch');
  });

  it('ignores completions of queries planned under an older configuration', () => {
    const s = new ModelScheduler({ ...settings, windowQueries: 8 });
    const old = s.decide(10);
    s.configure({ batchSize: 64 });
    for (let i = 0; i < 20; i++) s.observe(old, 1, 10);
    assert.equal(s.state().phase, 'measuring');
  });

  it('the static policy keeps its batch of 25 whatever it sees', () => {
    const s = new ModelScheduler({ ...settings, policy: 'static' });
    feed(s, 10, () => 1000);
    assert.deepEqual(
      [s.state().phase, s.decide(1000).batchSize, s.decide(1000).offload],
      ['static', 25, false],
    );
  });

  it('refuses bad settings, naming them', () => {
    assert.throws(() => new ModelScheduler({ ...settings, batchSize: 0 }), /batch_size = 0/);
    assert.throws(
      () => new ModelScheduler({ ...settings, policy: 'fifo' as 'static' }),
      /policy = "fifo"/,
    );
  });
});

describe('load shedding', () => {
  it('refuses past the hard cap, naming the query size and the limit', () => {
    const a = new Admission(1000);
    assert.throws(
      () => a.admit(1001, 1e9),
      (e: Error & { kind?: string }) =>
        e.kind === 'resource_exhausted' &&
        /items\.count = 1001: 0 items already in flight \(limit 1000\)/.test(e.message),
    );
    assert.equal(a.shed, 1);
  });

  it('refuses a query the items in flight would keep past its deadline', async () => {
    const a = new Admission(0, 100);
    // Teach it a throughput: 200 items finished in ~120 ms of busy time (~1700 items/s).
    const r = a.admit(200, 1e9);
    await new Promise((res) => setTimeout(res, 120));
    r();
    const held = a.admit(500, 1e9);
    // 500 in flight + 400 more at ~1700 items/s is ~0.5 s: a 100 ms budget is refused, 10 s is not.
    assert.throws(() => a.admit(400, 100), /overloaded: 500 items in flight/);
    a.admit(400, 10_000)();
    held();
    assert.equal(a.shed, 1);
  });
});
