/**
 * Counter-based deterministic numbers: value i of stream s under seed k is a pure function of
 * (k, s, i). Any process can generate any slice of a table (a shard holding rows [a, b) of a
 * row-wise split table generates only those) and get the same numbers as every other process.
 */

/** MurmurHash3's 32-bit finaliser: a bijection with full avalanche. */
function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a stream name, so streams are named (`table:3`, `bottom:0:weight`) not numbered. */
export function streamKey(seed: number, name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  }
  return fmix32(fmix32(h >>> 0) ^ fmix32((seed >>> 0) ^ 0x9e3779b9));
}

const TWO_POW_32 = 4294967296;
const INV_2_24 = 1 / 16777216;

function hashAt(key: number, i: number): number {
  const hi = Math.floor(i / TWO_POW_32);
  const lo = i >>> 0;
  return fmix32(key ^ fmix32((lo ^ fmix32(hi ^ 0x632be5ab)) >>> 0));
}

/** Uniform in [0, 1) with 24 bits, the precision of a float32 mantissa. */
export function uniformAt(key: number, i: number): number {
  return (hashAt(key, i) >>> 8) * INV_2_24;
}

/** out[j] = uniform(-bound, bound) for counters start + j. */
export function fillUniform(
  out: Float32Array,
  key: number,
  start: number,
  bound: number,
): Float32Array {
  for (let j = 0; j < out.length; j++) {
    out[j] = (2 * uniformAt(key, start + j) - 1) * bound;
  }
  return out;
}

/** out[j] = normal(0, std) for counters start + j (Box-Muller over counters 2i and 2i+1). */
export function fillNormal(
  out: Float32Array,
  key: number,
  start: number,
  std: number,
): Float32Array {
  for (let j = 0; j < out.length; j++) {
    const i = 2 * (start + j);
    const u1 = ((hashAt(key, i) >>> 8) + 1) * INV_2_24; // (0, 1]: log stays finite
    const u2 = uniformAt(key, i + 1);
    out[j] = std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}
