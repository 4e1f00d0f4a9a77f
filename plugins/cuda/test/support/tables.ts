// Random tables and bags of every dtype, and the tables decoded as the contract defines each
// dtype: the inputs and the reference of the parity checks.
import type { BagBatch, Dtype, PoolingMode, TableData } from '@recmesh/backend';

/** A seeded uniform [0, 1) generator (mulberry32). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** binary16 bits -> value, for the normal numbers randomTable draws (exponent 1..30). */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  return sign * (1 + (bits & 0x3ff) / 1024) * 2 ** (((bits >> 10) & 0x1f) - 15);
}

/**
 * fp32: values in [-1, 1). fp16: normal binary16 of magnitude 2^-5 to 4 (random sign, exponent
 * and mantissa bits). int8: random codes, per-row scale in (0, 0.02] and bias in [-1, 1).
 */
export function randomTable(rows: number, dim: number, dtype: Dtype, seed: number): TableData {
  const next = seeded(seed);
  if (dtype === 'fp32') {
    const data = Float32Array.from({ length: rows * dim }, () => next() * 2 - 1);
    return { rows, dim, dtype, data };
  }
  if (dtype === 'fp16') {
    const data = Uint16Array.from({ length: rows * dim }, () => {
      const exponent = 10 + Math.floor(next() * 8);
      return (next() < 0.5 ? 0x8000 : 0) | (exponent << 10) | Math.floor(next() * 1024);
    });
    return { rows, dim, dtype, data };
  }
  const stride = dim + 8;
  const data = new Uint8Array(rows * stride);
  const view = new DataView(data.buffer);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) data[r * stride + d] = Math.floor(next() * 256);
    view.setFloat32(r * stride + dim, (1 - next()) * 0.02, true);
    view.setFloat32(r * stride + dim + 4, next() * 2 - 1, true);
  }
  return { rows, dim, dtype, data };
}

/** [rows][dim] float32 values: fp16 widened, int8 as code * scale + bias (in float32). */
export function decodeTable(table: TableData): Float32Array {
  const { rows, dim } = table;
  if (table.dtype === 'fp32') return table.data;
  const out = new Float32Array(rows * dim);
  if (table.dtype === 'fp16') {
    for (let i = 0; i < out.length; i++) out[i] = halfValue(table.data[i] as number);
    return out;
  }
  const view = new DataView(table.data.buffer, table.data.byteOffset, table.data.byteLength);
  for (let r = 0; r < rows; r++) {
    const o = r * (dim + 8);
    const scale = view.getFloat32(o + dim, true);
    const bias = view.getFloat32(o + dim + 4, true);
    for (let d = 0; d < dim; d++)
      out[r * dim + d] = Math.fround(Math.fround((table.data[o + d] as number) * scale) + bias);
  }
  return out;
}

/** `bags` bags of 0 to maxLength random rows (about one in ten empty), weights in [-2, 2). */
export function randomBags(
  rows: number,
  bags: number,
  maxLength: number,
  mode: PoolingMode,
  weighted: boolean,
  seed: number,
): BagBatch {
  const next = seeded(seed);
  const offsets = new Int32Array(bags);
  const indices: number[] = [];
  for (let b = 0; b < bags; b++) {
    offsets[b] = indices.length;
    const length = next() < 0.1 ? 0 : 1 + Math.floor(next() * maxLength);
    for (let i = 0; i < length; i++) indices.push(Math.floor(next() * rows));
  }
  const weights = weighted ? Float32Array.from(indices, () => next() * 4 - 2) : undefined;
  return { indices: Int32Array.from(indices), offsets, mode, ...(weights ? { weights } : {}) };
}
