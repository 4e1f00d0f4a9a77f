// The model commands as a user runs them, where they refuse: an import of a file that is not
// there, a score whose inputs do not fit the model (naming the field and value), an export of a
// preset into a repository version that reads back.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recmesh } from '../support/recmesh-cli';

const FIXTURES = join(__dirname, '../fixtures/dlrm');

describe('recmesh import, score and models export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recmesh-model-cli-'));

  it('import dlrm names a file it cannot read', async () => {
    const r = await recmesh([
      'import',
      'dlrm',
      '--onnx',
      join(dir, 'none.onnx'),
      '--out',
      join(dir, 'x'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /recmesh: .*none\.onnx: cannot read/);
  });

  it('score refuses inputs that do not fit the model, naming the field and value, before any mesh starts', async () => {
    const out = join(dir, 'repo', 'ref', '1');
    const imported = await recmesh([
      'import',
      'dlrm',
      '--onnx',
      join(FIXTURES, 'cat', 'model.onnx'),
      '--out',
      out,
      '--samples',
      '32',
      '--json',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.json<{ model: string }>().model, 'ref');
    const inputs = JSON.parse(
      readFileSync(join(FIXTURES, 'cat', 'inputs-and-expected.json'), 'utf8'),
    ) as { sparse: { indices: number[] }[]; dense_x: number[][] };
    const bad = (change: (i: typeof inputs) => void) => {
      const copy = structuredClone(inputs);
      change(copy);
      const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(copy));
      return recmesh(['score', '--model-dir', out, '--inputs', file, '--json']);
    };
    let r = await bad((i) => (i.sparse[1]!.indices[0] = 800));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /sparse\[1\]\.indices\[0\] = 800: table 1 has rows 0\.\.799/);
    r = await bad((i) => i.dense_x[2]!.pop());
    assert.match(r.stderr, /dense_x\[2\] = "12 values": ref has 13 dense features/);
    r = await bad((i) => i.sparse.pop());
    assert.match(r.stderr, /sparse = "tables 0, 1, 2": tables 3 have no bags/);
  });

  it('models export writes a preset as a repository version', async () => {
    const out = join(dir, 'repo', 'ncf-small', '1');
    const r = await recmesh([
      'models',
      'export',
      '--model',
      'ncf',
      '--row-scale',
      '0.0001',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      name: string;
      version: number;
      architecture: { kind: string };
      tables: unknown[];
    };
    assert.equal(manifest.name, 'ncf-small');
    assert.equal(manifest.version, 1);
    assert.equal(manifest.architecture.kind, 'ncf');
    assert.equal(manifest.tables.length, 4);
  });
});
