import type { BagBatch, TableData } from './contracts';

/**
 * The plain TypeScript gather-reduce over fp32, fp16 and fused int8 rows: the reference every
 * faster kernel is tested against, and the fallback where no fast path loads. `out` is
 * float32 [bags][dim]. Runs on the calling thread. Inputs are validated by the caller
 * (validateBags); an index outside the table reads undefined and poisons its bag with NaN.
 */
export function referenceGatherReduce(table: TableData, batch: BagBatch, out: Float32Array): void {
  const { indices, offsets, weights, mode } = batch;
  const { dim } = table;
  const bags = offsets.length;
  out.fill(0, 0, bags * dim);
  const half = table.dtype === 'fp16' ? halfTable() : undefined;
  const scales =
    table.dtype === 'int8'
      ? new DataView(table.data.buffer, table.data.byteOffset, table.data.byteLength)
      : undefined;
  for (let b = 0; b < bags; b++) {
    const start = offsets[b] as number;
    const end = b + 1 < bags ? (offsets[b + 1] as number) : indices.length;
    const o = b * dim;
    for (let i = start; i < end; i++) {
      const row = indices[i] as number;
      const w = weights === undefined ? 1 : (weights[i] as number);
      if (table.dtype === 'fp32') {
        const data = table.data;
        const r = row * dim;
        for (let d = 0; d < dim; d++)
          out[o + d] = (out[o + d] as number) + w * (data[r + d] as number);
      } else if (table.dtype === 'fp16') {
        const data = table.data;
        const lut = half as Float32Array;
        const r = row * dim;
        for (let d = 0; d < dim; d++)
          out[o + d] = (out[o + d] as number) + w * (lut[data[r + d] as number] as number);
      } else {
        const data = table.data;
        const r = row * (dim + 8);
        const view = scales as DataView;
        const ws = w * view.getFloat32(r + dim, true);
        const wb = w * view.getFloat32(r + dim + 4, true);
        for (let d = 0; d < dim; d++)
          out[o + d] = (out[o + d] as number) + ws * (data[r + d] as number) + wb;
      }
    }
    if (mode === 'mean' && end > start) {
      const inv = 1 / (end - start);
      for (let d = 0; d < dim; d++) out[o + d] = (out[o + d] as number) * inv;
    }
  }
}

let halfLut: Float32Array | undefined;

/** All 65,536 binary16 values as float32 (256 KiB, built once). */
function halfTable(): Float32Array {
  if (halfLut === undefined) {
    halfLut = new Float32Array(65536);
    const u = new Uint32Array(halfLut.buffer);
    for (let h = 0; h < 65536; h++) u[h] = halfBitsToFloatBits(h);
  }
  return halfLut;
}

function halfBitsToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  let exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  exp = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    exp--;
  }
  return (sign | (exp << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}
