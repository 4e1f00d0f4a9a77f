import type { Route } from '../routing/router';
import type { Bags } from './parse-query';

/** Bags [start, end) of `bags`, offsets rebased to 0; indices and weights are views. */
export function sliceBags(bags: Bags, start: number, end: number): Bags {
  const n = bags.offsets.length;
  const i0 = bags.offsets[start] as number;
  const i1 = end < n ? (bags.offsets[end] as number) : bags.indices.length;
  const offsets = new Int32Array(end - start);
  for (let k = 0; k < offsets.length; k++) offsets[k] = (bags.offsets[start + k] as number) - i0;
  return {
    indices: bags.indices.subarray(i0, i1),
    offsets,
    weights: bags.weights?.subarray(i0, i1),
  };
}

/** Number of indices in each bag. */
export function bagLengths(bags: Bags): Int32Array {
  const n = bags.offsets.length;
  const out = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const end = b + 1 < n ? (bags.offsets[b + 1] as number) : bags.indices.length;
    out[b] = end - (bags.offsets[b] as number);
  }
  return out;
}

/**
 * Splits bags of global row ids over row-wise partitions: one Bags per route, with the ids that
 * fall in its rows made local to it (id - rowStart), bag structure kept (a bag may be empty in a
 * partition). One partition covering the table returns the input unchanged.
 */
export function splitByRows(bags: Bags, routes: readonly Route[]): Bags[] {
  if (routes.length === 1) return [bags];
  const starts = routes.map((r) => r.rowStart);
  const routeOf = (row: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const n = bags.indices.length;
  const which = new Uint16Array(n);
  const sizes = new Int32Array(routes.length);
  for (let i = 0; i < n; i++) {
    const r = routeOf(bags.indices[i] as number);
    which[i] = r;
    sizes[r] = (sizes[r] as number) + 1;
  }
  const bagsCount = bags.offsets.length;
  const out = routes.map((_, r) => ({
    indices: new Int32Array(sizes[r] as number),
    offsets: new Int32Array(bagsCount),
    weights: bags.weights === undefined ? undefined : new Float32Array(sizes[r] as number),
  }));
  const fill = new Int32Array(routes.length);
  for (let b = 0; b < bagsCount; b++) {
    for (let r = 0; r < routes.length; r++) (out[r] as Bags).offsets[b] = fill[r] as number;
    const end = b + 1 < bagsCount ? (bags.offsets[b + 1] as number) : n;
    for (let i = bags.offsets[b] as number; i < end; i++) {
      const r = which[i] as number;
      const o = out[r] as Bags;
      const k = fill[r] as number;
      o.indices[k] = (bags.indices[i] as number) - (starts[r] as number);
      if (o.weights !== undefined) o.weights[k] = bags.weights?.[i] as number;
      fill[r] = k + 1;
    }
  }
  return out;
}
