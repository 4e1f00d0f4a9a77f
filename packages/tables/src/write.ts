import { open } from 'node:fs/promises';
import { invalidArgument } from '@recmesh/errors';
import type { FileDtype } from './table-file';

const NPY_DESCR: Readonly<Record<FileDtype, string>> = { f32: '<f4', f16: '<f2', u8: '|u1' };
const ST_DTYPE: Readonly<Record<FileDtype, string>> = { f32: 'F32', f16: 'F16', u8: 'U8' };

/** A 2-D array to write: rows come from `rows(row, count)` so a table need not be in memory whole. */
export interface ArrayToWrite {
  readonly dtype: FileDtype;
  readonly shape: readonly [number, number];
  /** Bytes of rows [row, row + count), little-endian. */
  readonly chunk: (row: number, count: number) => Uint8Array;
}

function checkShape(field: string, a: ArrayToWrite): number {
  const [rows, cols] = a.shape;
  if (!(Number.isSafeInteger(rows) && rows >= 1 && Number.isSafeInteger(cols) && cols >= 1))
    throw invalidArgument(`${field}.shape`, a.shape, 'must be [rows >= 1, cols >= 1]');
  return cols * (a.dtype === 'f32' ? 4 : a.dtype === 'f16' ? 2 : 1);
}

/** An array held in memory, as ArrayToWrite. */
export function inMemory(
  dtype: FileDtype,
  shape: readonly [number, number],
  data: Float32Array | Uint16Array | Uint8Array,
): ArrayToWrite {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const rowBytes = data.byteLength / shape[0];
  return {
    dtype,
    shape,
    chunk: (row, count) => bytes.subarray(row * rowBytes, (row + count) * rowBytes),
  };
}

async function writeRows(
  path: string,
  header: Uint8Array,
  arrays: readonly ArrayToWrite[],
  chunkRows = 65_536,
): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.write(header);
    for (const a of arrays) {
      for (let row = 0; row < a.shape[0]; row += chunkRows)
        await fh.write(a.chunk(row, Math.min(chunkRows, a.shape[0] - row)));
    }
  } finally {
    await fh.close();
  }
}

/** Writes a .npy file (format 1.0, C order), as numpy.save does. */
export async function writeNpy(path: string, array: ArrayToWrite): Promise<void> {
  checkShape('array', array);
  const dict = `{'descr': '${NPY_DESCR[array.dtype]}', 'fortran_order': False, 'shape': (${array.shape[0]}, ${array.shape[1]}), }`;
  // Magic (6) + version (2) + length (2) + dict + padding + '\n' is a multiple of 64 (numpy's rule).
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const head = Buffer.alloc(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  head.write(header, 10, 'latin1');
  await writeRows(path, head, [array]);
}

/** Writes a safetensors file holding `tensors` by name, in the order given. */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, ArrayToWrite>>,
): Promise<void> {
  const entries: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, a] of Object.entries(tensors)) {
    const bytes = checkShape(`tensors.${name}`, a) * a.shape[0];
    entries[name] = {
      dtype: ST_DTYPE[a.dtype],
      shape: a.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(entries);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the format pads the header to 8 bytes
  const head = Buffer.alloc(8 + json.length);
  head.writeBigUInt64LE(BigInt(json.length), 0);
  head.write(json, 8, 'utf8');
  await writeRows(path, head, Object.values(tensors));
}
