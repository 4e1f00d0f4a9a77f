import type { BagBatch } from './contracts';

/**
 * The plain TypeScript gather-reduce: the reference every faster kernel is tested against, and
 * the fallback where no fast path loads. `data` is [rows][dim]; `out` is [bags][dim].
 */
export function referenceGatherReduce(
  data: Float32Array,
  dim: number,
  batch: BagBatch,
  out: Float32Array,
): void {
  const { indices, offsets, weights, mode } = batch;
  const bags = offsets.length;
  out.fill(0, 0, bags * dim);
  for (let b = 0; b < bags; b++) {
    const start = offsets[b] as number;
    const end = b + 1 < bags ? (offsets[b + 1] as number) : indices.length;
    const o = b * dim;
    for (let i = start; i < end; i++) {
      const r = (indices[i] as number) * dim;
      const w = weights === undefined ? 1 : (weights[i] as number);
      for (let d = 0; d < dim; d++)
        out[o + d] = (out[o + d] as number) + w * (data[r + d] as number);
    }
    if (mode === 'mean' && end > start) {
      const inv = 1 / (end - start);
      for (let d = 0; d < dim; d++) out[o + d] = (out[o + d] as number) * inv;
    }
  }
}
