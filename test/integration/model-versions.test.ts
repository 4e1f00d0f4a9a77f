// Model versions across the mesh: a new version is loaded beside the served one on a reload
// (`recmesh models reload`), and the orchestrator moves to it under load without failing a
// query: each query is pinned to the version it started with (every item of every reply scores
// as exactly one version), the old one is served until the new one is ready on every shard and
// worker, then released once no query uses it. Versions whose files are truncated or changed
// are refused, naming the file, and the served version keeps serving.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlainQuery } from '@recmesh/client';
import { resolveModel, type ModelSpec } from '@recmesh/models';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { NATS_URL, startTestMesh, type TestMesh } from '../support/local-mesh';
import { recmesh } from '../support/recmesh-cli';
import { itemBags } from '../support/query-bags';
import { ReferenceDlrm } from '../support/reference-dlrm';

const ROW_SCALE = 0.0005;
const PRESET = 'rmc1-dot';
const specAt = (version: number): ModelSpec => ({
  ...resolveModel(PRESET, { rowScale: ROW_SCALE, seed: version }),
  name: 'ctr',
  version,
});

interface Outcome {
  readonly startedAt: number;
  readonly version?: number;
  readonly error?: string;
  readonly query: PlainQuery;
  readonly scores?: { index: number; score: number }[];
}

/** `recmesh models export` of the preset at a seed as ctr/<version>. */
async function exportVersion(repository: string, version: number): Promise<string> {
  const dir = join(repository, 'ctr', String(version));
  const r = await recmesh([
    'models',
    'export',
    '--model',
    PRESET,
    '--row-scale',
    String(ROW_SCALE),
    '--seed',
    String(version),
    '--out',
    dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

describe('model versions', () => {
  const repository = join(mkdtempSync(join(tmpdir(), 'recmesh-versions-')), 'repository');
  let t: TestMesh;
  const reload = (args: string[] = []) =>
    recmesh(['models', 'reload', '--mesh', t.name, '--nats-url', NATS_URL, '--json', ...args]);

  before(async () => {
    await exportVersion(repository, 1);
    t = await startTestMesh({
      models: '',
      modelRepository: repository,
      shards: 2,
      workers: 2,
      batchSize: 7,
      env: { RECMESH_VERSION_GRACE_MS: '1000' },
    });
  });
  after(() => t.stop());

  it('switch to a new version under load with no failed query, each query on one version', async (c) => {
    const outcomes: Outcome[] = [];
    let running = true;
    const rng = new Rng(9);
    const client = async () => {
      while (running) {
        const query = syntheticQuery(specAt(1), 30, rng, 0);
        const startedAt = Date.now();
        try {
          const reply = await t.client.rank(query, { timeoutMs: 20_000 });
          outcomes.push({
            startedAt,
            version: reply.version,
            query,
            scores: reply.items.map((i) => ({ index: i.index, score: i.score })),
          });
        } catch (err) {
          outcomes.push({ startedAt, query, error: String(err) });
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 1500));
    await exportVersion(repository, 2);
    const r = await reload(['--target', t.mesh.orchestrator]);
    const switched = Date.now();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const answer = r.json<{ loaded: { model: string; version: number }[]; silent: string[] }>();
    assert.deepEqual(answer.loaded, [{ model: 'ctr', version: 2 }]);
    assert.deepEqual(answer.silent, []);
    await new Promise((r2) => setTimeout(r2, 1500));
    running = false;
    await Promise.all(clients);

    const failed = outcomes.filter((o) => o.error !== undefined);
    const byVersion = [1, 2].map((v) => outcomes.filter((o) => o.version === v).length);
    c.diagnostic(
      `${outcomes.length} queries during the switch: ${failed.length} failed; version 1: ${byVersion[0]}, version 2: ${byVersion[1]}`,
    );
    assert.deepEqual(
      failed.map((f) => f.error),
      [],
    );
    assert.ok((byVersion[0] ?? 0) > 0 && (byVersion[1] ?? 0) > 0, 'both versions served');
    for (const o of outcomes.filter((x) => x.startedAt > switched))
      assert.equal(o.version, 2, 'queries after the switch run the new version');

    // Every item of a reply scores as the version the reply names: no query mixes versions.
    const references = new Map([1, 2].map((v) => [v, new ReferenceDlrm(specAt(v))]));
    for (const o of outcomes) {
      const reference = references.get(o.version ?? 0) as ReferenceDlrm;
      for (const { index, score } of o.scores ?? []) {
        const bags = itemBags(o.query, index);
        const want = reference.score({ dense: o.query.user.dense as Float32Array, bags });
        assert.ok(
          Math.abs(score - want) <= 1e-5 * Math.abs(want),
          `version ${o.version} item ${index}: mesh ${score}, reference ${want}`,
        );
      }
    }

    // Version 1 is released everywhere once no query uses it.
    const until = Date.now() + 20_000;
    for (;;) {
      const info = (await t.client.listModels()).models.find((m) => m.name === 'ctr');
      if (info?.versions.join() === '2') break;
      assert.ok(Date.now() < until, `version 1 still held: ${JSON.stringify(info?.versions)}`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
  });

  it('refuse versions whose files are truncated or changed, naming the file; the served version keeps serving', async () => {
    const v3 = await exportVersion(repository, 3);
    truncateSync(join(v3, 'table_1.npy'), 300);
    const v4 = await exportVersion(repository, 4);
    const file = join(v4, 'table_0.npy');
    const bytes = readFileSync(file);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0x01, bytes.length - 1);
    writeFileSync(file, bytes);

    const r = await reload();
    assert.equal(r.code, 1, 'a refused version makes the command fail');
    const { refused } = r.json<{ refused: { model: string; version: number; error: string }[] }>();
    const errors = (v: number) => refused.filter((x) => x.version === v).map((x) => x.error);
    assert.ok(errors(3).length > 0 && errors(4).length > 0);
    for (const e of errors(3)) assert.match(e, /ctr\/3\/table_1\.npy: truncated/);
    // Shards read the table and check its SHA-256; workers only its header.
    assert.ok(
      errors(4).some((e) => /ctr\/4\/table_0\.npy: SHA-256 [0-9a-f]+ does not match/.test(e)),
    );

    const spec = specAt(2);
    const reply = await t.client.rank(syntheticQuery(spec, 5, new Rng(4), 0));
    assert.equal(reply.version, 2);
    const info = (await t.client.listModels()).models.find((m) => m.name === 'ctr');
    assert.equal(info?.version, 2);
    assert.equal(info?.ready, true);
  });
});
