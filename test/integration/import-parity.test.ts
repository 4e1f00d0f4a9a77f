// Trained DLRMs imported (`recmesh import dlrm`) and scored through the mesh (`recmesh score`):
// the DLRM reference's two exports (dot, cat) and the exports of
// scripts/dlrm-exports/make_dlrm_exports.py (the interaction itself, other table counts and
// dims, deeper MLPs, one table, 31 tables where cat and dot have the same width) reproduce
// PyTorch's predictions within each file's tolerance_abs (1e-5).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openNpy } from '@recmesh/tables';
import { startTestMesh, type TestMesh } from '../support/local-mesh';
import { recmesh } from '../support/recmesh-cli';

const FIXTURES = join(__dirname, '../fixtures/dlrm');
const EXPORTS = readdirSync(FIXTURES).sort();

interface Expected {
  arch: { interaction: string; interaction_itself: boolean; table_rows: number[] };
  expected_pred: number[];
  tolerance_abs: number;
}

const expectedOf = (name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, name, 'inputs-and-expected.json'), 'utf8')) as Expected;

/** The float32 rows of a .npy table file (header skipped). */
function npyRows(file: string): Float32Array {
  const t = openNpy(file);
  const bytes = readFileSync(file).subarray(t.dataOffset);
  return new Float32Array(Uint8Array.from(bytes).buffer);
}

describe('trained DLRMs imported and scored through the mesh', () => {
  const repository = join(mkdtempSync(join(tmpdir(), 'recmesh-import-')), 'repository');
  let mesh: TestMesh;

  before(async () => {
    for (const name of EXPORTS) {
      const r = await recmesh([
        'import',
        'dlrm',
        '--onnx',
        join(FIXTURES, name, 'model.onnx'),
        '--out',
        join(repository, name, '1'),
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    mesh = await startTestMesh({ models: '', modelRepository: repository, shards: 2 });
  });
  after(() => mesh?.stop());

  for (const name of EXPORTS) {
    it(`${name}: the interaction is inferred, the import verified, the mesh reproduces PyTorch`, async (t) => {
      const expected = expectedOf(name);
      const manifest = JSON.parse(
        readFileSync(join(repository, name, '1', 'manifest.json'), 'utf8'),
      ) as {
        architecture: { interaction: string };
        tables: { rows: number }[];
        source: { verified: { maxAbsError: number } };
      };
      const want =
        expected.arch.interaction === 'dot' && expected.arch.interaction_itself
          ? 'dot-self'
          : expected.arch.interaction;
      assert.equal(manifest.architecture.interaction, want);
      assert.deepEqual(
        manifest.tables.map((x) => x.rows),
        expected.arch.table_rows,
      );
      assert.ok(manifest.source.verified.maxAbsError <= 1e-6);
      const r = await recmesh([
        'score',
        '--target',
        mesh.mesh.orchestrator,
        '--model-dir',
        join(repository, name, '1'),
        '--inputs',
        join(FIXTURES, name, 'inputs-and-expected.json'),
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const { pred } = r.json<{ pred: number[] }>();
      assert.equal(pred.length, expected.expected_pred.length);
      const err = Math.max(
        ...pred.map((p, i) => Math.abs(p - (expected.expected_pred[i] as number))),
      );
      t.diagnostic(`${name}: max |mesh - PyTorch| = ${err} over ${pred.length} samples`);
      assert.ok(err <= expected.tolerance_abs, `${name}: max abs error ${err}`);
    });
  }

  it("lifts the reference's tables out of the Loops bit for bit", () => {
    for (const name of ['dot', 'cat']) {
      const rows = expectedOf(name).arch.table_rows;
      rows.forEach((_, k) => {
        const given = join(FIXTURES, name, `table_${k}.npy`);
        assert.ok(existsSync(given));
        assert.deepEqual(npyRows(join(repository, name, '1', `table_${k}.npy`)), npyRows(given));
      });
    }
  });

  it('scores through a local mesh it starts itself when no target is given', async () => {
    const r = await recmesh([
      'score',
      '--model-dir',
      join(repository, 'dot', '1'),
      '--inputs',
      join(FIXTURES, 'dot', 'inputs-and-expected.json'),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { pred } = r.json<{ pred: number[] }>();
    const expected = expectedOf('dot');
    pred.forEach((p, i) =>
      assert.ok(Math.abs(p - (expected.expected_pred[i] as number)) <= expected.tolerance_abs),
    );
  });
});
