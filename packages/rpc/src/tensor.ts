import { endianness } from 'node:os';

if (endianness() !== 'LE') {
  // Every tensor on the wire is little-endian and is viewed in place.
  throw new Error('recmesh needs a little-endian host');
}

type View<T> = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T;

function view<T>(bytes: Uint8Array, width: number, Ctor: View<T>, field: string): T {
  if (bytes.byteLength % width !== 0) {
    throw new RangeError(
      `${field}: ${bytes.byteLength} bytes is not a whole number of ${width}-byte elements`,
    );
  }
  if (bytes.byteOffset % width === 0)
    return new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / width);
  // Unaligned (a bytes field starts wherever the fields before it end): copy once.
  const copy = new Uint8Array(bytes);
  return new Ctor(copy.buffer, 0, bytes.byteLength / width);
}

/** Views little-endian float32 bytes as a Float32Array, without copying where aligned. */
export function asF32(bytes: Uint8Array, field = 'tensor'): Float32Array {
  return view(bytes, 4, Float32Array, field);
}

export function asI32(bytes: Uint8Array, field = 'tensor'): Int32Array {
  return view(bytes, 4, Int32Array, field);
}

export function asU64(bytes: Uint8Array, field = 'tensor'): BigUint64Array {
  return view(bytes, 8, BigUint64Array, field);
}

/** The bytes of a typed array, as a Buffer over the same memory (no copy). */
export function bytesOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
