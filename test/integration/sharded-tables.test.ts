// Sharding end to end: a row-wise split table gives the same scores as the unsplit one, replicas
// share the load and cover for each other, and shards serve tables loaded from .npy and
// safetensors files (and refuse to start on a broken one, naming it).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectBus, PeerRegistry } from '@recmesh/bus';
import { EmbeddingServiceClient } from '@recmesh/proto';
import { clientArgs, unaryCall } from '@recmesh/rpc';
import { planShards, resolveModel, tableRows, type ShardingPlan } from '@recmesh/models';
import { inMemory, writeNpy, writeSafetensors } from '@recmesh/tables';
import { Rng, syntheticQuery } from '@recmesh/workload';
import type { RankResponse } from '@recmesh/proto';
import { ReferenceDlrm } from '../support/reference-dlrm';
import { startTestMesh, type TestMesh } from '../support/local-mesh';
import { itemBags } from '../support/query-bags';

const MODEL = 'rmc2';
const ROW_SCALE = 0.0005;
const SEED = 7;
const spec = resolveModel(MODEL, { rowScale: ROW_SCALE, seed: SEED });
const tableBytes = (spec.tables[0]?.rows ?? 0) * spec.dim * 4;
const query = syntheticQuery(spec, 23, new Rng(11), 0);
const work = mkdtempSync(join(tmpdir(), 'recmesh-sharded-'));

function writePlan(name: string, plan: ShardingPlan): string {
  const path = join(work, `${name}.json`);
  writeFileSync(path, JSON.stringify(plan));
  return path;
}

function scoresByIndex(reply: RankResponse): Float64Array {
  const out = new Float64Array(reply.items.length);
  for (const item of reply.items) out[item.index] = item.score;
  return out;
}

/** The largest relative difference between the mesh's scores and the reference forward pass. */
function worstRelativeError(reply: RankResponse): number {
  const reference = new ReferenceDlrm(spec);
  let worst = 0;
  for (const item of reply.items) {
    const bags = itemBags(query, item.index);
    const expected = reference.score({ dense: query.user.dense as Float32Array, bags });
    worst = Math.max(worst, Math.abs(item.score - expected) / Math.max(Math.abs(expected), 1e-12));
  }
  return worst;
}

function assertMatchesReference(reply: RankResponse, what: string): void {
  const worst = worstRelativeError(reply);
  assert.ok(worst <= 1e-5, `${what}: a score is ${worst} away from the reference (relative)`);
}

describe('a row-wise split table scores as the unsplit one', () => {
  let whole: TestMesh;
  let split: TestMesh;
  const splitPlan = planShards([spec], {
    groups: 2,
    maxPartitionBytes: Math.ceil(tableBytes / 2.5),
  });
  before(async () => {
    whole = await startTestMesh({
      models: MODEL,
      rowScale: ROW_SCALE,
      seed: SEED,
      batchSize: 7,
      plan: writePlan('whole', planShards([spec], { groups: 1 })),
    });
    split = await startTestMesh({
      models: MODEL,
      rowScale: ROW_SCALE,
      seed: SEED,
      batchSize: 7,
      plan: writePlan('split', splitPlan),
    });
  });
  after(async () => {
    await whole?.stop();
    await split?.stop();
  });

  it('the plan splits every table over both groups', () => {
    for (let t = 0; t < spec.tables.length; t++) {
      const holders = splitPlan.groups.filter((g) => g.partitions.some((p) => p.table === t));
      assert.equal(holders.length, 2, `table ${t}`);
    }
  });

  it("every score equals the single shard's (1e-6 relative) and the reference (1e-5)", async () => {
    const a = await whole.client.rank(query);
    const b = await split.client.rank(query);
    assert.equal(new Set(b.servedBy?.shards).size, 2);
    const sa = scoresByIndex(a);
    const sb = scoresByIndex(b);
    for (let i = 0; i < sa.length; i++) {
      const rel =
        Math.abs((sa[i] as number) - (sb[i] as number)) /
        Math.max(Math.abs(sa[i] as number), 1e-12);
      assert.ok(rel <= 1e-6, `item ${i}: unsplit ${sa[i]}, split ${sb[i]}`);
    }
    assertMatchesReference(b, 'split');
  });
});

describe('tables held as fp16 and int8', () => {
  for (const dtype of ['fp16', 'int8'] as const) {
    it(`${dtype}: shards quantise as they load and score close to fp32`, async () => {
      const t = await startTestMesh({
        models: MODEL,
        rowScale: ROW_SCALE,
        seed: SEED,
        tableDtype: dtype,
      });
      try {
        // Measured: fp16 1.1e-4, int8 2.8e-3 worst relative error at this scale.
        const worst = worstRelativeError(await t.client.rank(query));
        assert.ok(
          worst < (dtype === 'fp16' ? 1e-3 : 2e-2),
          `${dtype}: worst relative error ${worst}`,
        );
      } finally {
        await t.stop();
      }
    });
  }
});

describe('replicas of a shard group', () => {
  let t: TestMesh;
  before(async () => {
    t = await startTestMesh({
      models: MODEL,
      rowScale: ROW_SCALE,
      seed: SEED,
      plan: writePlan('replicas', planShards([spec], { groups: 2, replicas: 2 })),
    });
  });
  after(() => t?.stop());

  it('share the lookups and cover for a replica that dies', async () => {
    const shards = t.mesh.services.filter((s) => s.role === 'embedding-shard');
    assert.equal(shards.length, 4);
    // The mesh is ready once every table has a live replica; a group's other replica may be
    // discovered a moment later (its announcement), so rounds of 12 queries run until the
    // lookups spread, for at most 10 s.
    const seen = new Set<string>();
    const until = Date.now() + 10_000;
    while (seen.size < 3 && Date.now() < until)
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          const reply = await t.client.rank(query);
          for (const s of reply.servedBy?.shards ?? []) seen.add(s);
        }),
      );
    assert.ok(seen.size >= 3, `lookups went to ${[...seen].join(', ')}`);
    const victim = shards[0];
    victim?.child.kill('SIGKILL');
    await new Promise((r) => victim?.child.once('exit', r));
    for (let i = 0; i < 6; i++) {
      const reply = await t.client.rank(query);
      assert.equal(reply.items.length, query.items.count);
      assertMatchesReference(reply, `after the kill, query ${i}`);
    }
  });
});

describe('tables from files', () => {
  const dir = join(work, 'tables');
  before(async () => {
    mkdirSync(join(dir, MODEL), { recursive: true });
    const half = spec.tables.length / 2;
    // Tables 0..15 as .npy, 16..31 in one safetensors file under the DLRM reference's names.
    for (let t = 0; t < half; t++)
      await writeNpy(
        join(dir, MODEL, `table_${t}.npy`),
        inMemory('f32', [spec.tables[t]?.rows ?? 0, spec.dim], tableRows(spec, t)),
      );
    const tensors = Object.fromEntries(
      Array.from({ length: half }, (_, k) => {
        const t = half + k;
        return [
          `emb_l.${t}.weight`,
          inMemory('f32', [spec.tables[t]?.rows ?? 0, spec.dim], tableRows(spec, t)),
        ];
      }),
    );
    await writeSafetensors(join(dir, MODEL, 'embeddings.safetensors'), tensors);
  });

  it('serve the same scores as generated tables, and Describe says what each shard holds', async () => {
    const t = await startTestMesh({
      models: MODEL,
      rowScale: ROW_SCALE,
      seed: SEED,
      tablesDir: dir,
      shards: 2,
    });
    try {
      assertMatchesReference(await t.client.rank(query), 'from files');
      const shard = t.mesh.services.find((s) => s.role === 'embedding-shard');
      assert.ok(shard !== undefined);
      const client = new EmbeddingServiceClient(shard.address, ...clientArgs());
      try {
        const d = await unaryCall(client.describe.bind(client), {});
        assert.ok(d.partitions.length > 0);
        assert.ok(d.partitions.every((p) => p.dtype === 'fp32' && p.dim === spec.dim));
        assert.equal(d.tableBytes, d.partitions.length * tableBytes);
        assert.ok(d.rssBytes > d.tableBytes);
      } finally {
        client.close();
      }
      // The NATS announcements confirm the rows, the element type and the bytes each shard holds.
      const nc = await connectBus({ servers: t.mesh.natsUrl, name: 'sharded-tables-test' });
      try {
        const registry = new PeerRegistry(nc, t.name);
        registry.start();
        const until = Date.now() + 5000;
        while (registry.list('embedding-shard').length < 2 && Date.now() < until)
          await new Promise((r) => setTimeout(r, 50));
        const held = registry.list('embedding-shard').flatMap((a) => a.partitions ?? []);
        registry.stop();
        assert.equal(held.length, spec.tables.length);
        assert.ok(
          held.every((p) => p.dtype === 'fp32' && p.bytes === tableBytes),
          JSON.stringify(held[0]),
        );
      } finally {
        await nc.close();
      }
      const metrics = await (await fetch(`http://127.0.0.1:${shard.metricsPort}/metrics`)).text();
      assert.match(metrics, /recmesh_shard_table_bytes\S* \d+/);
      assert.match(metrics, /recmesh_process_rss_bytes\S* \d+/);
      const log = readFileSync(shard.logFile, 'utf8');
      assert.match(log, /"percent":100/);
      assert.match(log, /kernel native-avx2|kernel native-generic/);
    } finally {
      await t.stop();
    }
  });

  it('a truncated file stops its shard before it is ready, naming the file', async () => {
    const broken = join(work, 'broken');
    mkdirSync(join(broken, MODEL), { recursive: true });
    for (let t = 0; t < spec.tables.length; t++)
      await writeNpy(
        join(broken, MODEL, `table_${t}.npy`),
        inMemory('f32', [spec.tables[t]?.rows ?? 0, spec.dim], tableRows(spec, t)),
      );
    const bad = join(broken, MODEL, 'table_3.npy');
    truncateSync(bad, 1000);
    await assert.rejects(
      startTestMesh({
        models: MODEL,
        rowScale: ROW_SCALE,
        seed: SEED,
        tablesDir: broken,
        shards: 1,
      }),
      (err: Error) => err.message.includes(bad) && /truncated/.test(err.message),
    );
  });
});
