import type { Dtype, TableData } from '@recmesh/backend';

/** float32 -> IEEE binary16 bits (round to nearest even; values here are small and finite). */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) return sign; // underflow to zero: fine for benchmark data
  if (exp >= 31) return sign | 0x7c00;
  const round = mant & 0x1fff;
  mant >>>= 13;
  if (round > 0x1000 || (round === 0x1000 && (mant & 1) === 1)) mant++;
  return sign | ((exp << 10) + mant);
}

/**
 * A table of `rows` x `dim` values in [-1, 1), stored as `dtype` (int8: FBGEMM fused rows, codes
 * then float32 scale and bias). Deterministic for a seed; for benchmarks and tests.
 */
export function randomTable(rows: number, dim: number, dtype: Dtype, seed = 1): TableData {
  let s = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  if (dtype === 'fp32') {
    const data = new Float32Array(rows * dim);
    for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
    return { rows, dim, dtype, data };
  }
  if (dtype === 'fp16') {
    const data = new Uint16Array(rows * dim);
    for (let i = 0; i < data.length; i++) data[i] = toHalf(next() * 2 - 1);
    return { rows, dim, dtype, data };
  }
  const stride = dim + 8;
  const data = new Uint8Array(rows * stride);
  const view = new DataView(data.buffer);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) data[r * stride + d] = Math.floor(next() * 256);
    view.setFloat32(r * stride + dim, 2 / 255, true); // scale
    view.setFloat32(r * stride + dim + 4, -1, true); // bias
  }
  return { rows, dim, dtype, data };
}
