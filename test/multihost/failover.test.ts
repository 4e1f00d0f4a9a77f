// A mesh across hosts: network namespaces on one machine stand for separate hosts on one switch.
// NATS on one, two replicas of one embedding-shard group on two others, a dense worker, the
// orchestrator and a load client on more. Under load, one shard host's cable is pulled (its switch
// port goes down: no FIN, no RST) right after a burst of queries went out, so that some are surely
// in flight; the orchestrator must route to the surviving replica, and no query may fail beyond
// those in flight at the moment of the cut.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { resolveModels, singleGroupPlan } from '@recmesh/models';
import { KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS } from '@recmesh/rpc';
import { quantileSorted } from '@recmesh/workload';
import type { QueryRecord } from './support/load-client';
import { Network, whyNoNamespaces, type Host } from './support/network';
import { logMessage, startIn, stop, type Started } from './support/processes';

const MODEL = 'rmc1';
const ROW_SCALE = '0.0005';
const SEED = '7';
/** Load: 25 queries/s of 50 items for 12 s; 5 s in, a burst of 10 more, then the cut. */
const RATE = 25;
const SECONDS = 12;
const ITEMS = 50;
const BURST = 10;
const CUT_AFTER_MS = 5000;
/** Private addresses, inside this test's own namespaces only. */
const SUBNET = '10.213.7';
/** How long the cut host may still be picked: keepalive declares it dead, heartbeats expire. */
const WINDOW_MS = KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS + 1000;

function whyNotHere(): string | undefined {
  const netns = whyNoNamespaces();
  if (netns !== undefined) return netns;
  const nats = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (nats.error !== undefined || nats.status !== 0)
    return 'nats-server is not on PATH (apt-get install nats-server)';
  return undefined;
}

const skip = whyNotHere();
if (skip !== undefined) console.log(`multihost failover tests skipped: ${skip}`);

const entry = (role: string) => require.resolve(`@recmesh/${role}/dist/main.js`);
const quantile = (values: number[], q: number) =>
  values.length === 0
    ? 0
    : quantileSorted(
        [...values].sort((a, b) => a - b),
        q,
      );
const r1 = (x: number) => Math.round(x * 10) / 10;
const latencies = (qs: QueryRecord[]) => {
  const ms = qs.map((q) => q.ms);
  return {
    n: qs.length,
    p50: r1(quantile(ms, 0.5)),
    p99: r1(quantile(ms, 0.99)),
    max: r1(Math.max(0, ...ms)),
  };
};

/** Counts and latencies of one run, relative to the moment of the cut. */
function summarize(records: readonly QueryRecord[], cutAt: number) {
  const inFlight = records.filter((q) => q.start <= cutAt && q.start + q.ms >= cutAt);
  const failed = records.filter((q) => q.code !== 0);
  const before = records.filter((q) => q.start + q.ms < cutAt);
  const settled = records.filter((q) => q.start > cutAt + WINDOW_MS);
  return {
    queries: records.length,
    failed: failed.length,
    failed_codes: [...new Set(failed.map((q) => q.code))],
    in_flight_at_cut: inFlight.length,
    failed_beyond_in_flight: failed.filter((q) => !inFlight.includes(q)).length,
    after_cut: records.filter((q) => q.start > cutAt).length,
    before_ms: latencies(before),
    in_flight_at_cut_ms: latencies(inFlight),
    window_ms: latencies(
      records.filter((q) => q.start + q.ms >= cutAt && q.start <= cutAt + WINDOW_MS),
    ),
    settled_ms: latencies(settled),
    served_before: [...new Set(before.flatMap((q) => q.shards))].sort(),
    served_after_window: [...new Set(settled.flatMap((q) => q.shards))].sort(),
  };
}

/** Builds the hosts, starts the mesh, runs the load, cuts shard A; always cleans up. */
async function runFailover(t: TestContext, orchestratorEnv: Record<string, string>) {
  const id = Math.random().toString(36).slice(2, 6);
  const logDir = mkdtempSync(join(tmpdir(), 'recmesh-multihost-'));
  const natsStore = mkdtempSync(join(tmpdir(), 'recmesh-multihost-nats-'));
  const net = new Network(`rm${id}`, SUBNET);
  const running: Started[] = [];
  try {
    const hosts = {
      nats: net.addHost('nats', 1),
      shardA: net.addHost('sa', 11),
      shardB: net.addHost('sb', 12),
      worker: net.addHost('dw', 21),
      orchestrator: net.addHost('or', 31),
      client: net.addHost('cl', 41),
    };
    running.push(
      await startIn(
        hosts.nats.ns,
        'nats',
        ['nats-server', '-a', '0.0.0.0', '-p', '4222', '-js', '-sd', natsStore],
        process.env,
        logDir,
        (line) => line.includes('Server is ready'),
        15_000,
      ),
    );

    // One plan group held by two replicas.
    const models = resolveModels(MODEL, { rowScale: Number(ROW_SCALE), seed: Number(SEED) });
    const plan = singleGroupPlan(models, 'shard-0');
    const planFile = join(logDir, 'plan.json');
    const groups = plan.groups.map((g) => ({ ...g, replicas: 2 }));
    writeFileSync(planFile, JSON.stringify({ ...plan, groups }));

    const common: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: `nats://${hosts.nats.address}:4222`,
      RECMESH_MESH: `multihost-${id}`,
      RECMESH_MODELS: MODEL,
      RECMESH_ROW_SCALE: ROW_SCALE,
      RECMESH_SEED: SEED,
      RECMESH_HOST: '0.0.0.0',
      RECMESH_METRICS_PORT: '9464',
    };
    const service = (host: Host, name: string, role: string, port: number, extra = {}) =>
      startIn(
        host.ns,
        name,
        [process.execPath, entry(role)],
        {
          ...common,
          ...extra,
          RECMESH_ADVERTISE_HOST: host.address,
          RECMESH_PORT: String(port),
          RECMESH_INSTANCE_ID: name,
        },
        logDir,
        (line) => logMessage(line)?.msg === 'ready',
        90_000,
      );
    const shardEnv = { RECMESH_PLAN: planFile, RECMESH_SHARD_GROUP: 'shard-0' };
    const backends = await Promise.allSettled([
      service(hosts.shardA, 'shard-a', 'embedding-shard', 50052, shardEnv),
      service(hosts.shardB, 'shard-b', 'embedding-shard', 50052, shardEnv),
      service(hosts.worker, 'dense-worker', 'dense-worker', 50053),
    ]);
    for (const b of backends) if (b.status === 'fulfilled') running.push(b.value);
    for (const b of backends) if (b.status === 'rejected') throw b.reason;
    running.push(
      await service(hosts.orchestrator, 'orchestrator', 'orchestrator', 50051, orchestratorEnv),
    );

    let result: QueryRecord[] | undefined;
    let loadStart = 0;
    let burstSent: () => void = () => undefined;
    const burst = new Promise<void>((r) => (burstSent = r));
    const load = await startIn(
      hosts.client.ns,
      'load-client',
      [process.execPath, '--import', 'tsx', join(__dirname, 'support/load-client.ts')],
      {
        ...process.env,
        TARGET: `${hosts.orchestrator.address}:50051`,
        MODEL,
        RATE: String(RATE),
        SECONDS: String(SECONDS),
        ITEMS: String(ITEMS),
        BURST: String(BURST),
      },
      logDir,
      (line) => line.startsWith('{"event":"load-start"'),
      120_000,
      (line) => {
        const event = logMessage(line) as { event?: string; at?: number; queries?: QueryRecord[] };
        if (event?.event === 'load-start') loadStart = event.at ?? 0;
        if (event?.event === 'burst-sent') burstSent();
        if (event?.event === 'result') result = event.queries;
      },
      'pipe',
    );
    running.push(load);
    const exited = new Promise<number | null>((r) => load.child.once('exit', r));
    await new Promise((r) => setTimeout(r, loadStart + CUT_AFTER_MS - Date.now()));
    load.child.stdin?.write('burst\n');
    await burst;
    net.cut(hosts.shardA);
    const cutAt = Date.now();
    assert.equal(await exited, 0, `the load client failed; see ${load.logFile}`);
    assert.ok(result !== undefined, 'the load client printed its result');
    const summary = summarize(result, cutAt);
    t.diagnostic(JSON.stringify(summary));
    console.log(
      `multihost failover (${JSON.stringify(orchestratorEnv)}): ${JSON.stringify(summary)} (logs: ${logDir})`,
    );
    // The caller removes the services' logs once its checks passed; a failed run keeps them.
    return { ...summary, logs: () => rmSync(logDir, { recursive: true, force: true }) };
  } finally {
    for (const p of running.reverse()) await stop(p.child, 3000);
    net.destroy();
    rmSync(natsStore, { recursive: true, force: true });
  }
}

describe('multi-host mesh in network namespaces: a shard host cut off under load', () => {
  it(
    'with hedging: the survivor answers, no query fails, latency stays near normal',
    {
      skip,
      timeout: 240_000,
    },
    async (t) => {
      const s = await runFailover(t, {});
      assert.deepEqual(s.served_before, ['shard-a', 'shard-b'], 'both replicas served');
      assert.ok(s.in_flight_at_cut > 0, 'queries were in flight at the cut');
      assert.equal(s.failed_beyond_in_flight, 0, 'no query failed beyond those in flight');
      assert.ok(s.after_cut > RATE, 'load went on after the cut');
      assert.deepEqual(s.served_after_window, ['shard-b'], 'the survivor serves alone');
      // Hedges answer before keepalive could even have declared the host dead (2 s without a
      // ping answer), give or take the machine's own latency at the time.
      assert.ok(
        s.in_flight_at_cut_ms.p50 < KEEPALIVE_TIMEOUT_MS + s.before_ms.p99,
        `queries in flight at the cut finish by hedging (p50 ${s.in_flight_at_cut_ms.p50} ms)`,
      );
      s.logs();
    },
  );

  it(
    'keepalive alone (hedging off): calls to the cut host end UNAVAILABLE and are retried',
    {
      skip,
      timeout: 240_000,
    },
    async (t) => {
      const s = await runFailover(t, { RECMESH_HEDGE_BUDGET: '0' });
      assert.ok(s.in_flight_at_cut > 0, 'queries were in flight at the cut');
      assert.equal(s.failed_beyond_in_flight, 0, 'no query failed beyond those in flight');
      assert.deepEqual(s.served_after_window, ['shard-b'], 'the survivor serves alone');
      assert.ok(
        s.window_ms.max < WINDOW_MS + Math.max(1000, 2 * s.before_ms.p99),
        `queries around the cut finish within keepalive's bound (${s.window_ms.max} ms)`,
      );
      s.logs();
    },
  );
});
