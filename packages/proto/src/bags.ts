// The wire form of Bags (common.proto): offsets may be left off when every bag holds one index.

/**
 * The offsets of a batch as the wire may send them: empty offsets over one or more indices mean
 * one index per bag (a one-hot feature: as many bags as indices), the form Criteo's 26
 * categorical features take. Anything else is returned as given.
 */
export function bagOffsets(indices: Int32Array, offsets: Int32Array): Int32Array {
  if (offsets.length > 0 || indices.length === 0) return offsets;
  const out = new Int32Array(indices.length);
  for (let b = 0; b < out.length; b++) out[b] = b;
  return out;
}

/**
 * Whether every bag holds exactly one index (offsets 0, 1, 2, ... over as many indices): such
 * offsets may be left off the wire, and bagOffsets restores them.
 */
export function isOneHot(indices: Int32Array, offsets: Int32Array): boolean {
  const n = offsets.length;
  if (n === 0 || n !== indices.length) return false;
  for (let b = 0; b < n; b++) if (offsets[b] !== b) return false;
  return true;
}
