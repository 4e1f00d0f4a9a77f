#!/usr/bin/env node
// Serves a model twice on this machine, first from one unsplit embedding shard, then from
// `--shards` shard processes (table-wise, or row-wise with --max-partition-bytes), sends the same
// queries to both, and compares every score. Also reports what each shard holds (Describe: table
// bytes, RSS) and how long the tables took to load. Not part of CI: at full size RMC2 needs ~4 GB
// for its tables (32 x 500,000 x 64 float32), once per mesh.
//
//   node scripts/bench/sharded-parity.mjs [--models rmc2] [--row-scale 1] [--shards 2]
//       [--max-partition-bytes 100e6] [--queries 5] [--items 100] [--seed 1]
// The last line of stdout is one JSON object.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalMesh } from '@recmesh/cli';
import { RankingClient } from '@recmesh/client';
import { planShards, resolveModel } from '@recmesh/models';
import { EmbeddingServiceClient } from '@recmesh/proto';
import { clientArgs, unaryCall } from '@recmesh/rpc';
import { Rng, syntheticQuery } from '@recmesh/workload';

const { values: o } = parseArgs({
  options: {
    models: { type: 'string', default: 'rmc2' },
    'row-scale': { type: 'string', default: '1' },
    shards: { type: 'string', default: '2' },
    'max-partition-bytes': { type: 'string' },
    queries: { type: 'string', default: '5' },
    items: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    'nats-url': { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
  },
});
const rowScale = Number(o['row-scale']);
const seed = Number(o.seed);
const spec = resolveModel(o.models, { rowScale, seed });
const work = mkdtempSync(join(tmpdir(), 'recmesh-parity-'));
const log = (line) => process.stderr.write(`${line}\n`);
const rng = new Rng(seed + 100);
const queries = Array.from({ length: Number(o.queries) }, () =>
  syntheticQuery(spec, Number(o.items), rng, 0),
);

async function serve(name, plan) {
  const planFile = join(work, `${name}-plan.json`);
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  const started = performance.now();
  const mesh = await startLocalMesh({
    models: o.models,
    rowScale,
    seed,
    shards: plan.groups.length,
    workers: 1,
    port: 0,
    natsUrl: o['nats-url'],
    mesh: `parity-${name}-${process.pid}`,
    batchSize: 25,
    logDir: join(work, name),
    plan: planFile,
    readyTimeoutMs: 900_000,
    log,
  });
  const client = new RankingClient(mesh.orchestrator);
  try {
    for (;;) {
      const list = await client.listModels();
      if (list.models.every((m) => m.ready)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const readyS = (performance.now() - started) / 1000;
    log(`${name}: ready in ${readyS.toFixed(1)} s`);
    const shards = [];
    for (const s of mesh.services.filter((x) => x.role === 'embedding-shard')) {
      const c = new EmbeddingServiceClient(s.address, ...clientArgs());
      const d = await unaryCall(c.describe.bind(c), {});
      c.close();
      shards.push({
        shard: s.name,
        partitions: d.partitions.length,
        row_split_partitions: d.partitions.filter(
          (p) => Number(p.rowEnd) - Number(p.rowStart) !== spec.tables[p.table]?.rows,
        ).length,
        table_bytes: d.tableBytes,
        rss_bytes: d.rssBytes,
      });
    }
    const scores = [];
    const latencies = [];
    for (const q of queries) {
      const t0 = performance.now();
      const reply = await client.rank(q, { timeoutMs: 60_000 });
      latencies.push(performance.now() - t0);
      const s = new Float64Array(reply.items.length);
      for (const item of reply.items) s[item.index] = item.score;
      scores.push(s);
    }
    return { name, ready_s: readyS, shards, scores, latency_ms: latencies };
  } finally {
    client.close();
    await mesh.stop();
  }
}

const maxPart =
  o['max-partition-bytes'] === undefined ? undefined : Number(o['max-partition-bytes']);
const whole = await serve('unsplit', planShards([spec], { groups: 1 }));
const split = await serve(
  'sharded',
  planShards([spec], {
    groups: Number(o.shards),
    ...(maxPart === undefined ? {} : { maxPartitionBytes: maxPart }),
  }),
);
let maxAbs = 0;
let maxRel = 0;
let compared = 0;
whole.scores.forEach((s, q) =>
  s.forEach((a, i) => {
    const b = split.scores[q][i];
    maxAbs = Math.max(maxAbs, Math.abs(a - b));
    maxRel = Math.max(maxRel, Math.abs(a - b) / Math.max(Math.abs(a), 1e-12));
    compared++;
  }),
);
const strip = ({ scores: _s, ...rest }) => rest;
const result = {
  model: o.models,
  row_scale: rowScale,
  tables: spec.tables.length,
  rows: spec.tables[0]?.rows,
  dim: spec.dim,
  scores_compared: compared,
  max_abs_diff: maxAbs,
  max_rel_diff: maxRel,
  equal: maxRel <= 1e-6,
  unsplit: strip(whole),
  sharded: strip(split),
};
process.stdout.write(
  `${o.models} x${rowScale}: ${compared} scores, unsplit vs ${split.shards.length} shards: max abs diff ${maxAbs.toExponential(2)}, max rel diff ${maxRel.toExponential(2)} (${result.equal ? 'equal' : 'DIFFERENT'})\n${JSON.stringify(result)}\n`,
);
process.exit(result.equal ? 0 : 1);
