/**
 * Positions of the k best scores, best first; equal scores keep request order, so a ranking is
 * deterministic. NaN scores rank last.
 */
export function topK(scores: Float32Array, k: number): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const key = (i: number) => {
    const s = scores[i] as number;
    return Number.isNaN(s) ? -Infinity : s;
  };
  order.sort((a, b) => key(b) - key(a) || a - b);
  return order.subarray(0, Math.min(k, order.length));
}
