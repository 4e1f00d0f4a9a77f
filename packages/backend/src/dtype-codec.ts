import { invalidArgument } from '@recmesh/errors';
import type { Dtype, TableData } from './contracts';

/** Bytes of one stored row: `dim` elements, plus a float32 scale and bias per int8 row. */
export function rowBytes(dtype: Dtype, dim: number): number {
  switch (dtype) {
    case 'fp32':
      return dim * 4;
    case 'fp16':
      return dim * 2;
    case 'int8':
      return dim + 8;
  }
}

/** Bytes of a [rows][dim] table stored as `dtype`. */
export function tableBytesOf(dtype: Dtype, rows: number, dim: number): number {
  return rows * rowBytes(dtype, dim);
}

const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'int8'];

/** Parses a dtype name, naming `field` when it is not one. */
export function parseDtype(field: string, value: unknown): Dtype {
  if (typeof value === 'string' && (DTYPES as readonly string[]).includes(value))
    return value as Dtype;
  throw invalidArgument(field, value, `not a table dtype (${DTYPES.join(', ')})`);
}

/**
 * A TableData over `buffer` (which must hold at least the table's bytes), typed for `dtype`. With
 * no buffer, plain zeroed memory.
 */
export function tableDataOver(
  dtype: Dtype,
  rows: number,
  dim: number,
  buffer: ArrayBuffer = new ArrayBuffer(tableBytesOf(dtype, rows, dim)),
): TableData {
  const bytes = tableBytesOf(dtype, rows, dim);
  if (buffer.byteLength < bytes)
    throw invalidArgument(
      'buffer',
      `${buffer.byteLength} bytes`,
      `a ${dtype} [${rows}][${dim}] table needs ${bytes}`,
    );
  switch (dtype) {
    case 'fp32':
      return { dtype, rows, dim, data: new Float32Array(buffer, 0, rows * dim) };
    case 'fp16':
      return { dtype, rows, dim, data: new Uint16Array(buffer, 0, rows * dim) };
    case 'int8':
      return { dtype, rows, dim, data: new Uint8Array(buffer, 0, bytes) };
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE-754 binary16 bits -> number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** number -> binary16 bits, rounding to nearest even (as numpy's astype(float16) does). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // inf, NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to inf
  if (e <= 0) {
    if (e < -10) return sign; // underflows to 0
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // may carry into the exponent: right
  return h;
}

/** fp32 rows -> binary16 rows, written into `out` (same length). */
export function encodeFp16(values: Float32Array, out: Uint16Array): Uint16Array {
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i] as number);
  return out;
}

/**
 * fp32 rows [rows][dim] -> FBGEMM Fused8BitRowwise rows [rows][dim + 8] in `out`: per row,
 * scale = (max - min) / 255, bias = min, code = round((x - min) / scale) (FBGEMM's
 * FloatToFused8BitRowwiseQuantizedSBFloat; a constant row gets scale 0 and decodes exactly).
 */
export function quantizeFused8BitRowwise(
  values: Float32Array,
  dim: number,
  out: Uint8Array,
): Uint8Array {
  const rows = values.length / dim;
  const stride = dim + 8;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let min = Infinity;
    let max = -Infinity;
    for (let d = 0; d < dim; d++) {
      const x = values[base + d] as number;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const range = max - min;
    const scale = Math.fround(range / 255);
    const inv = range > 0 ? 255 / range : 0;
    const o = r * stride;
    for (let d = 0; d < dim; d++) {
      const code = Math.round(((values[base + d] as number) - min) * inv);
      out[o + d] = code < 0 ? 0 : code > 255 ? 255 : code;
    }
    view.setFloat32(o + dim, scale, true);
    view.setFloat32(o + dim + 4, min, true);
  }
  return out;
}

/**
 * Row `row` of a table as float values (the decoded value of every element), into `out`. The
 * reference for every kernel's arithmetic, and what tests compare against.
 */
export function decodeRow(table: TableData, row: number, out: Float64Array): Float64Array {
  const { dim } = table;
  switch (table.dtype) {
    case 'fp32':
      for (let d = 0; d < dim; d++) out[d] = table.data[row * dim + d] as number;
      break;
    case 'fp16':
      for (let d = 0; d < dim; d++) out[d] = halfToFloat(table.data[row * dim + d] as number);
      break;
    case 'int8': {
      const o = row * (dim + 8);
      const view = new DataView(table.data.buffer, table.data.byteOffset + o + dim, 8);
      const scale = view.getFloat32(0, true);
      const bias = view.getFloat32(4, true);
      for (let d = 0; d < dim; d++) out[d] = (table.data[o + d] as number) * scale + bias;
      break;
    }
  }
  return out;
}
