// .npy and safetensors: good files load (directly and converted), and truncated, corrupt,
// mis-typed or mis-shaped files fail with errors that name the file and what is wrong.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeRow, encodeFp16, tableDataOver } from '@recmesh/backend';
import {
  fileRows,
  findModelTables,
  generatedRows,
  inMemory,
  loadRows,
  openNpy,
  openSafetensors,
  writeNpy,
  writeSafetensors,
} from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'recmesh-tables-'));
const ROWS = 1000;
const DIM = 16;
const values = Float32Array.from({ length: ROWS * DIM }, (_, i) => Math.sin(i) * 2);

/** A .npy file written by hand, byte for byte as numpy 1.x writes `np.save(f, a)`. */
function numpyStyleNpy(path: string, descr: string, shape: string, body: Uint8Array): void {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

async function loadAll(path: string, dtype: 'fp32' | 'fp16' | 'int8', rowStart = 0, rowEnd = ROWS) {
  const file = openNpy(path);
  const target = tableDataOver(dtype, rowEnd - rowStart, file.dim);
  const progress: number[] = [];
  await loadRows(fileRows(file), rowStart, rowEnd, target, {
    chunkBytes: 4096,
    onProgress: (done, total) => progress.push(done / total),
  });
  return { target, progress };
}

describe('.npy tables', () => {
  const f32 = join(dir, 'f32.npy');
  const f16 = join(dir, 'f16.npy');

  it('reads a numpy-written float32 file, in chunks with progress, and a row range of it', async () => {
    numpyStyleNpy(f32, '<f4', `(${ROWS}, ${DIM})`, new Uint8Array(values.buffer));
    const file = openNpy(f32);
    assert.deepEqual([file.dtype, file.rows, file.dim, file.dataOffset], ['f32', ROWS, DIM, 128]);
    const { target, progress } = await loadAll(f32, 'fp32');
    assert.deepEqual(target.data, values);
    assert.ok(progress.length > 10 && progress.at(-1) === 1);
    const part = await loadAll(f32, 'fp32', 600, 1000);
    assert.deepEqual(part.target.data, values.subarray(600 * DIM));
  });

  it('round-trips its own writer, float16, and converts fp32 files to fp16 and int8 on load', async () => {
    const halves = encodeFp16(values, new Uint16Array(values.length));
    await writeNpy(f16, inMemory('f16', [ROWS, DIM], halves));
    const own = await loadAll(f16, 'fp16');
    assert.deepEqual(own.target.data, halves);
    const toHalf = await loadAll(f32, 'fp16');
    assert.deepEqual(toHalf.target.data, halves);
    const toInt8 = await loadAll(f32, 'int8');
    const row = new Float64Array(DIM);
    for (const r of [0, 517, ROWS - 1]) {
      decodeRow(toInt8.target, r, row);
      for (let d = 0; d < DIM; d++)
        assert.ok(
          Math.abs((row[d] as number) - (values[r * DIM + d] as number)) <= 4 / 255 / 2 + 1e-6,
        );
    }
    const fromHalf = await loadAll(f16, 'fp32');
    for (let i = 0; i < values.length; i++)
      assert.ok(Math.abs((fromHalf.target.data[i] as number) - (values[i] as number)) < 2e-3);
  });

  const broken: [string, (path: string) => void, RegExp][] = [
    [
      'truncated data',
      (p) => {
        writeFileSync(p, readFileSync(f32));
        truncateSync(p, 128 + ROWS * DIM * 4 - 10);
      },
      /truncated: shape \[1000, 16\] of <f4 needs 64128 bytes, the file has 64118/,
    ],
    [
      'truncated header',
      (p) => writeFileSync(p, readFileSync(f32).subarray(0, 50)),
      /truncated: the header needs 128 bytes, the file has 50/,
    ],
    [
      'extra bytes',
      (p) => {
        writeFileSync(p, readFileSync(f32));
        appendFileSync(p, 'xx');
      },
      /2 bytes past the end/,
    ],
    [
      'wrong magic',
      (p) => writeFileSync(p, Buffer.from('PK\x03\x04 not numpy at all')),
      /not a \.npy file/,
    ],
    [
      'float64',
      (p) => numpyStyleNpy(p, '<f8', '(2, 2)', new Uint8Array(32)),
      /dtype <f8 is not a table dtype/,
    ],
    [
      'big-endian',
      (p) => numpyStyleNpy(p, '>f4', '(2, 2)', new Uint8Array(16)),
      /dtype >f4 is not a table dtype/,
    ],
    ['1-D', (p) => numpyStyleNpy(p, '<f4', '(4,)', new Uint8Array(16)), /shape \[4\] is not 2-D/],
    [
      '3-D',
      (p) => numpyStyleNpy(p, '<f4', '(2, 2, 2)', new Uint8Array(32)),
      /shape \[2, 2, 2\] is not 2-D/,
    ],
    ['empty', (p) => numpyStyleNpy(p, '<f4', '(0, 4)', new Uint8Array(0)), /needs rows >= 1/],
    [
      'garbled header',
      (p) => numpyStyleNpy(p, '<f4', 'banana', new Uint8Array(0)),
      /malformed .npy header/,
    ],
    [
      'int8 too narrow',
      (p) => numpyStyleNpy(p, '|u1', '(2, 8)', new Uint8Array(16)),
      /cannot hold codes plus/,
    ],
  ];
  for (const [what, make, expected] of broken) {
    it(`rejects ${what}, naming the file`, () => {
      const path = join(dir, `broken-${what.replace(/\W+/g, '-')}.npy`);
      make(path);
      assert.throws(
        () => openNpy(path),
        (err: Error) => err.message.includes(path) && expected.test(err.message),
      );
    });
  }

  it('rejects a missing file, naming it', () => {
    assert.throws(() => openNpy(join(dir, 'nope.npy')), /nope\.npy: cannot open/);
  });

  it('reports a file that shrinks while loading', async () => {
    const path = join(dir, 'shrinks.npy');
    writeFileSync(path, readFileSync(f32));
    const file = openNpy(path);
    truncateSync(path, 1000);
    await assert.rejects(
      loadRows(fileRows(file), 0, ROWS, tableDataOver('fp32', ROWS, DIM)),
      (err: Error) => err.message.includes(path) && /truncated while reading/.test(err.message),
    );
  });

  it('refuses to load into a table of another shape, and int8 rows as floats', async () => {
    const file = openNpy(f32);
    await assert.rejects(
      loadRows(fileRows(file), 0, ROWS, tableDataOver('fp32', ROWS, DIM + 1)),
      /holds \[1000, 16\] rows; the table to fill is \[1000, 17\]/,
    );
    const q = join(dir, 'q.npy');
    await writeNpy(q, inMemory('u8', [4, 24], new Uint8Array(96)));
    await assert.rejects(
      loadRows(fileRows(openNpy(q)), 0, 4, tableDataOver('fp32', 4, 16)),
      /can be served only as int8/,
    );
  });
});

describe('safetensors tables', () => {
  const path = join(dir, 'model.safetensors');

  it('lists 2-D float tensors as tables and skips others', async () => {
    await writeSafetensors(path, {
      'emb_l.0.weight': inMemory('f32', [ROWS, DIM], values),
      table_1: inMemory(
        'f16',
        [10, DIM],
        encodeFp16(values.subarray(0, 10 * DIM), new Uint16Array(10 * DIM)),
      ),
    });
    const tables = openSafetensors(path);
    assert.deepEqual([...tables.keys()], ['emb_l.0.weight', 'table_1']);
    const t0 = tables.get('emb_l.0.weight');
    assert.ok(t0 !== undefined);
    const target = tableDataOver('fp32', 100, DIM);
    await loadRows(fileRows(t0), 900, 1000, target);
    assert.deepEqual(target.data, values.subarray(900 * DIM));
  });

  it('rejects a header length past the end, corrupt JSON, bad offsets and truncation', () => {
    const good = readFileSync(path);
    const cases: [string, Buffer, RegExp][] = [
      [
        'huge header',
        Buffer.concat([Buffer.from([255, 255, 255, 255, 0, 0, 0, 0]), good.subarray(8)]),
        /header length 4294967295/,
      ],
      ['tiny', good.subarray(0, 5), /not even a safetensors header length/],
      [
        'corrupt json',
        (() => {
          const b = Buffer.from(good);
          b.write('}}', 8);
          return b;
        })(),
        /corrupt safetensors header/,
      ],
      ['truncated', good.subarray(0, good.length - 100), /truncated: the tensor ends at byte/],
    ];
    const headerLen = Number(good.readBigUInt64LE(0));
    const header = JSON.parse(good.subarray(8, 8 + headerLen).toString()) as Record<
      string,
      { shape: number[] }
    >;
    (header['table_1'] as { shape: number[] }).shape = [11, DIM];
    let json = JSON.stringify(header);
    json += ' '.repeat(headerLen - json.length);
    const misShaped = Buffer.from(good);
    misShaped.write(json, 8);
    cases.push([
      'mis-shaped',
      misShaped,
      /tensor "table_1": data_offsets \[\d+, \d+\] hold 320 bytes, shape \[11, 16\] of F16 needs 352/,
    ]);
    for (const [what, bytes, expected] of cases) {
      const p = join(dir, `broken-${what.replace(/\W+/g, '-')}.safetensors`);
      writeFileSync(p, bytes);
      assert.throws(
        () => openSafetensors(p),
        (err: Error) => err.message.includes(p) && expected.test(err.message),
        what,
      );
    }
  });
});

describe('a model folder', () => {
  it('finds .npy files first, then safetensors tensors, and says which table is missing', async () => {
    const root = join(dir, 'repo');
    mkdirSync(join(root, 'rmc2'), { recursive: true });
    await writeNpy(join(root, 'rmc2', 'table_0.npy'), inMemory('f32', [ROWS, DIM], values));
    await writeSafetensors(join(root, 'rmc2', 'rest.safetensors'), {
      'emb_l.1.weight': inMemory('f32', [ROWS, DIM], values),
      'bot_l.0.bias': inMemory('f32', [1, DIM], values.subarray(0, DIM)),
    });
    const found = findModelTables(root, 'rmc2-dot', [0, 1], 'rmc2');
    assert.equal(found.get(0)?.tensor, undefined);
    assert.equal(found.get(1)?.tensor, 'emb_l.1.weight');
    assert.throws(
      () => findModelTables(root, 'rmc2', [0, 2]),
      /table 2 of rmc2: neither .*table_2\.npy nor .*table_2 or emb_l\.2\.weight/,
    );
    assert.throws(() => findModelTables(root, 'rmc9', [0]), /rmc9 does not exist/);
  });

  it('generated rows load like file rows', async () => {
    const target = tableDataOver('fp16', 10, 4);
    await loadRows(
      generatedRows('g', 20, 4, (row, n, out) => out.forEach((_, i) => (out[i] = row * 4 + i))),
      10,
      20,
      target,
    );
    assert.equal(target.data.length, 40);
    const row = new Float64Array(4);
    assert.deepEqual([...decodeRow(target, 9, row)], [76, 77, 78, 79]);
  });
});
