// What the importer refuses, and why: an export whose computation the rebuilt graph does not
// reproduce (verification fails, nothing written), files that are not DLRM exports, exports
// without per-table inputs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { buildDenseGraph, resolveModel } from '@recmesh/models';
import { extractDlrm, importDlrm, OnnxFile } from '../src/index';

const FIXTURES = join(__dirname, '../../../test/fixtures/dlrm');
const tmp = () => mkdtempSync(join(tmpdir(), 'recmesh-import-'));

/** The reference's dot export, changed by `edit`, written to a temporary file. */
function tampered(edit: (m: onnx.ModelProto) => void): string {
  const model = onnx.ModelProto.decode(readFileSync(join(FIXTURES, 'dot', 'model.onnx')));
  edit(model);
  const file = join(tmp(), 'model.onnx');
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

describe('import dlrm', () => {
  it('reads the structure of an export: tables, MLPs with activations, inputs, interaction', () => {
    const m = extractDlrm(new OnnxFile(join(FIXTURES, 'dot', 'model.onnx')));
    assert.deepEqual(
      m.tables.map((t) => t.dims),
      [
        [1000, 16],
        [800, 16],
        [600, 16],
        [400, 16],
      ],
    );
    assert.deepEqual(
      m.bottom.map((l) => [l.inputs, l.outputs, l.activation]),
      [
        [13, 32, 'relu'],
        [32, 16, 'relu'],
      ],
    );
    assert.deepEqual(
      m.top.map((l) => [l.inputs, l.outputs, l.activation]),
      [
        [26, 16, 'relu'],
        [16, 1, 'sigmoid'],
      ],
    );
    assert.equal(m.interaction, 'dot');
    assert.equal(m.inputs.dense, 'dense_x');
    assert.equal(m.output, 'pred');
  });

  it('refuses an export the rebuilt graph does not reproduce, and writes nothing', async () => {
    // The dot products' column indices (lj) reversed: other pairs than DLRM's, same widths.
    const file = tampered((m) => {
      const lj = (m.graph?.node ?? []).filter(
        (n) =>
          n.opType === 'Constant' &&
          n.attribute?.[0]?.t?.dataType === onnx.TensorProto.DataType.INT64 &&
          (n.attribute[0].t.dims ?? []).map(Number).join() === '10',
      )[1];
      const t = lj?.attribute?.[0]?.t;
      assert.ok(t?.rawData !== undefined && t.rawData !== null);
      const values = new BigInt64Array(Uint8Array.from(t.rawData).buffer).reverse();
      t.rawData = new Uint8Array(values.buffer);
    });
    const out = join(tmp(), 'out');
    await assert.rejects(
      importDlrm({ onnx: file, out, name: 'm', version: 1 }),
      /the imported model disagrees with the export: max \|original - imported\| = [0-9.e-]+ > tolerance 0\.00001 \(sample \d+: original [0-9.e-]+, imported [0-9.e-]+; interaction inferred: dot.*nothing written/,
    );
    assert.equal(existsSync(out), false);
  });

  it('refuses an ONNX model that is not a DLRM export, naming the file', async () => {
    const dir = tmp();
    const file = join(dir, 'dense.onnx');
    writeFileSync(file, buildDenseGraph(resolveModel('rmc1', { rowScale: 0.0001, seed: 1 })));
    await assert.rejects(
      importDlrm({ onnx: file, out: join(dir, 'out'), name: 'm', version: 1 }),
      new RegExp(`${file}: no emb_l\\.<t>\\.weight initializers: not a DLRM export`),
    );
    writeFileSync(join(dir, 'junk.onnx'), 'not a model');
    await assert.rejects(
      importDlrm({ onnx: join(dir, 'junk.onnx'), out: join(dir, 'out'), name: 'm', version: 1 }),
      /junk\.onnx: not an ONNX model/,
    );
    await assert.rejects(
      importDlrm({ onnx: join(dir, 'none.onnx'), out: join(dir, 'out'), name: 'm', version: 1 }),
      /none\.onnx: cannot read/,
    );
  });

  it('refuses an export without one offsets and indices input per table', async () => {
    const file = tampered((m) => {
      const graph = m.graph as onnx.GraphProto;
      for (const i of graph.input) if (i.name === 'offsets_2') i.name = 'offs';
      for (const n of graph.node)
        n.input = (n.input ?? []).map((x) => (x === 'offsets_2' ? 'offs' : x));
    });
    await assert.rejects(
      importDlrm({ onnx: file, out: join(tmp(), 'out'), name: 'm', version: 1 }),
      /no graph input offsets_2 \(inputs: dense_x, offsets_0, offsets_1, offs/,
    );
  });
});
