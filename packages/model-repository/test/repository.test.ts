// The model repository: manifests, scans, the files each version names (refused with the file
// and the mismatch: missing, truncated, wrong shape or dtype, SHA-256, a dense graph whose
// inputs disagree), the versions a service holds, and reloads that keep the served version when
// a new one is refused.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildDenseGraph, resolveModel, tableRows } from '@recmesh/models';
import {
  checkVersionFiles,
  HeldVersions,
  openVersionTable,
  parseManifest,
  readDenseGraph,
  readVersion,
  reconcile,
  scanRepository,
  verifySha256,
  writeVersion,
  type ModelVersion,
} from '../src/index';

const preset = resolveModel('rmc1-dot', { rowScale: 0.0001, seed: 3 });

/** Writes `<root>/<name>/<version>` from the preset, seeded by the version. */
async function writePreset(root: string, name: string, version: number): Promise<string> {
  const dir = join(root, name, String(version));
  const spec = { ...preset, name, version, seed: version };
  await writeVersion(dir, {
    name,
    version,
    architecture: spec.architecture,
    denseFeatures: spec.denseFeatures,
    dim: spec.dim,
    tables: spec.tables.map((_, t) => tableRows(spec, t)),
    denseOnnx: buildDenseGraph(spec),
  });
  return dir;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'recmesh-repo-'));

function manifestOf(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

function rewrite(dir: string, change: (m: Record<string, unknown>) => void): void {
  const m = manifestOf(dir);
  change(m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}

const entry = (root: string, name: string, version: number) => ({
  model: name,
  version,
  dir: join(root, name, String(version)),
});

/** Every check a service runs on a version, the expensive ones included. */
async function fullCheck(v: ModelVersion): Promise<void> {
  checkVersionFiles(v);
  for (const [t, table] of v.manifest.tables.entries()) {
    openVersionTable(v, t);
    await verifySha256(join(v.entry.dir, table.file), table.sha256);
  }
  await readDenseGraph(v);
}

describe('manifests', () => {
  it('a written version reads back with its spec', async () => {
    const root = tmp();
    await writePreset(root, 'm', 1);
    const v = readVersion(entry(root, 'm', 1));
    assert.equal(v.spec.name, 'm');
    assert.equal(v.spec.version, 1);
    assert.deepEqual(v.spec.architecture, preset.architecture);
    assert.deepEqual(
      v.spec.tables.map((t) => t.rows),
      preset.tables.map((t) => t.rows),
    );
    await fullCheck(v);
  });

  it('bad fields are refused naming the file, the field and the value', () => {
    const base = {
      format: 'recmesh.model/v1',
      name: 'm',
      version: 1,
      architecture: { kind: 'dlrm', bottomMlp: [8, 4], topMlp: [4, 1], interaction: 'dot' },
      denseFeatures: 3,
      dim: 4,
      tables: [{ file: 'table_0.npy', rows: 10, dim: 4 }],
      dense: { file: 'dense.onnx' },
    };
    assert.doesNotThrow(() => parseManifest(base, 'm/1/manifest.json'));
    const bad = (patch: object, pattern: RegExp) =>
      assert.throws(() => parseManifest({ ...base, ...patch }, 'm/1/manifest.json'), pattern);
    bad({ format: 'x' }, /m\/1\/manifest.json: format = "x"/);
    bad(
      { tables: [{ file: 'table_0.npy', rows: -1, dim: 4 }] },
      /manifest.json: tables\[0\]\.rows = -1/,
    );
    bad(
      { architecture: { ...base.architecture, interaction: 'sum' } },
      /architecture.interaction = "sum"/,
    );
    bad(
      { architecture: { ...base.architecture, bottomMlp: [8, 5] } },
      /architecture.bottomMlp = \[8,5\]: must end with dim 4/,
    );
    bad({ tables: [{ file: '../x.npy', rows: 10, dim: 4 }] }, /tables\[0\]\.file = "..\/x.npy"/);
    bad({ tables: [{ file: 'table_0.npy', rows: 10, dim: 8 }] }, /tables\[0\]\.dim = 8/);
    bad({ extra: 1 }, /manifest/);
  });

  it('a manifest whose name or version is not its folders is refused', async () => {
    const root = tmp();
    const dir = await writePreset(root, 'm', 1);
    rewrite(dir, (m) => (m.version = 2));
    assert.throws(
      () => readVersion(entry(root, 'm', 1)),
      /manifest.json: version = 2: the version's folder is 1/,
    );
    rewrite(dir, (m) => {
      m.version = 1;
      m.name = 'other';
    });
    assert.throws(
      () => readVersion(entry(root, 'm', 1)),
      /name = "other": the model's folder is "m"/,
    );
  });

  it('scans models and their numbered versions, newest first, and reports odd folders', async () => {
    const root = tmp();
    await writePreset(root, 'm', 1);
    await writePreset(root, 'm', 10);
    await writePreset(root, 'm', 2);
    mkdirSync(join(root, 'm', 'notes'));
    mkdirSync(join(root, 'bad name'));
    mkdirSync(join(root, 'empty'));
    const scan = scanRepository(root);
    assert.deepEqual(
      scan.models.get('m')?.map((e) => e.version),
      [10, 2, 1],
    );
    assert.equal(scan.models.size, 1);
    assert.equal(scan.problems.length, 2);
    assert.throws(() => scanRepository(join(root, 'nope')), /not a folder/);
  });
});

describe('files a version names', () => {
  const broken = async (breakIt: (dir: string) => void, pattern: RegExp): Promise<void> => {
    const root = tmp();
    const dir = await writePreset(root, 'm', 1);
    breakIt(dir);
    await assert.rejects(async () => fullCheck(readVersion(entry(root, 'm', 1))), pattern);
  };

  it('a missing table file is refused, naming it', () =>
    broken(
      (dir) => rmSync(join(dir, 'table_2.npy')),
      /table_2\.npy: missing \(tables\[2\]\.file of the manifest\)/,
    ));

  it('a truncated table file is refused, naming it', () =>
    broken((dir) => truncateSync(join(dir, 'table_1.npy'), 200), /table_1\.npy: truncated/));

  it('a table of another shape than the manifest says is refused', () =>
    broken(
      (dir) => rewrite(dir, (m) => ((m.tables as { rows: number }[])[0]!.rows = 7)),
      /table_0\.npy: holds \[400, 32\]; the manifest says tables\[0\] is \[7, 32\]/,
    ));

  it('a table of another dtype than the manifest says is refused', () =>
    broken(
      (dir) => rewrite(dir, (m) => ((m.tables as { dtype: string }[])[3]!.dtype = 'float16')),
      /table_3\.npy: holds float32 rows; the manifest says tables\[3\]\.dtype = float16/,
    ));

  it('a table whose bytes changed is refused by its SHA-256', () =>
    broken((dir) => {
      const file = join(dir, 'table_0.npy');
      const bytes = readFileSync(file);
      bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
      writeFileSync(file, bytes);
    }, /table_0\.npy: SHA-256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}/));

  it('a table file with bytes past its array is refused', () =>
    broken((dir) => appendFileSync(join(dir, 'table_0.npy'), 'x'), /bytes past the end/));

  it('a dense graph whose inputs disagree with the manifest is refused', () =>
    broken((dir) => {
      // RMC3's graph: 2560 dense features and 10 tables, where the manifest says 128 and 8.
      const other = resolveModel('rmc3-dot', { rowScale: 0.0001, seed: 1 });
      writeFileSync(join(dir, 'dense.onnx'), buildDenseGraph(other));
      rewrite(dir, (m) => delete (m.dense as { sha256?: string }).sha256);
    }, /dense\.onnx: input "dense" has shape \[batch, 2560\]; the manifest implies \[batch, 128\]/));

  it('a dense graph that is not ONNX is refused', () =>
    broken((dir) => {
      writeFileSync(join(dir, 'dense.onnx'), 'not onnx at all');
      rewrite(dir, (m) => delete (m.dense as { sha256?: string }).sha256);
    }, /dense\.onnx: (not an ONNX model|no graph input)/));
});

describe('held versions', () => {
  it('a new version retires the old one, which goes only when unused, out of use and past grace', async () => {
    let now = 0;
    const released: string[] = [];
    const held = new HeldVersions<string>({
      graceMs: 100,
      now: () => now,
      release: (v) => {
        released.push(v);
      },
    });
    held.add('m', 1, 'v1');
    assert.equal(held.get('m', 0).version, 1);
    const call = held.acquire('m', 1);
    held.add('m', 2, 'v2');
    assert.equal(held.get('m', 0).version, 2, 'version 0 is the serving one');
    assert.deepEqual(
      held.list().map((h) => [h.version, h.retiring]),
      [
        [1, true],
        [2, false],
      ],
    );
    now = 1000;
    await held.sweep(() => false);
    assert.deepEqual(released, [], 'a call is in flight on version 1');
    call.release();
    await held.sweep(() => true);
    assert.deepEqual(released, [], 'an orchestrator still lists version 1');
    now = 1050;
    await held.sweep(() => false);
    assert.deepEqual(released, [], 'within the grace period since it was last needed');
    now = 1101;
    await held.sweep(() => false);
    assert.deepEqual(released, ['v1']);
    assert.throws(() => held.get('m', 1), /version = 1: m is held here at version 2/);
  });

  it('a retiring version that comes back is served again, not loaded twice', () => {
    const held = new HeldVersions<string>({ graceMs: 100, release: () => undefined });
    held.add('m', 1, 'v1');
    held.add('m', 2, 'v2');
    assert.equal(held.revive('m', 1), true);
    assert.equal(held.serving('m'), 1);
    assert.equal(held.get('m', 2).retiring, true);
    assert.equal(held.revive('m', 3), false);
    assert.throws(() => held.add('m', 2, 'again'), /m version 2 is held already/);
  });
});

describe('reloads', () => {
  /** Versions held, and the models loaded from the repository. */
  function loader() {
    const held = new HeldVersions<ModelVersion>({ graceMs: 0, release: () => undefined });
    return { held, serving: (m: string) => held.serving(m), models: new Set<string>() };
  }

  it('load the newest version; a newer bad one is refused and the served one keeps serving', async () => {
    const root = tmp();
    await writePreset(root, 'm', 1);
    const l = loader();
    const api = {
      serving: l.serving,
      held: () => [...l.models],
      load: async (v: ModelVersion) => {
        await fullCheck(v);
        l.models.add(v.spec.name);
        l.held.add(v.spec.name, v.spec.version, v);
      },
      retire: (m: string) => l.held.retire(m),
    };
    let report = await reconcile(root, api);
    assert.deepEqual(report.loaded, [{ model: 'm', version: 1 }]);
    const dir2 = await writePreset(root, 'm', 2);
    truncateSync(join(dir2, 'table_0.npy'), 100);
    report = await reconcile(root, api);
    assert.deepEqual(report.loaded, []);
    assert.equal(report.refused.length, 1);
    assert.match(report.refused[0]?.error ?? '', /2\/table_0\.npy: truncated/);
    assert.equal(l.held.serving('m'), 1);
    await writePreset(root, 'm', 3);
    report = await reconcile(root, api);
    assert.deepEqual(report.loaded, [{ model: 'm', version: 3 }]);
    assert.deepEqual(report.retired, [{ model: 'm', version: 1 }]);
    rmSync(join(root, 'm'), { recursive: true });
    report = await reconcile(root, api);
    assert.deepEqual(report.retired, [{ model: 'm', version: 3 }]);
  });

  it('at start, a bad newest version falls back to the newest good one', async () => {
    const root = tmp();
    await writePreset(root, 'm', 1);
    const dir2 = await writePreset(root, 'm', 2);
    rmSync(join(dir2, 'dense.onnx'));
    const loaded: number[] = [];
    const report = await reconcile(root, {
      serving: () => undefined,
      held: () => [],
      load: async (v) => {
        await fullCheck(v);
        loaded.push(v.spec.version);
      },
      retire: () => undefined,
    });
    assert.deepEqual(loaded, [1]);
    assert.match(report.refused[0]?.error ?? '', /2\/dense\.onnx: missing/);
  });
});
