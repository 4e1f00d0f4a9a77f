#!/usr/bin/env node
// Encodes and decodes a pooled-embedding reply (bags x dim float32) two ways, as ts-proto's
// generated code does: a packed `repeated float` (one writer.float / reader.float per element)
// and a `bytes` field (one copy). Prints one JSON line per size.
// Usage: node scripts/bench/wire.mjs [--iterations 50]
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

const flag = process.argv.indexOf('--iterations');
const iterations = flag > 0 ? Number(process.argv[flag + 1]) : 50;

function packed(values) {
  const w = new BinaryWriter();
  w.uint32(10).fork();
  for (const v of values) w.float(v);
  w.join();
  return w.finish();
}

function unpacked(bytes) {
  const r = new BinaryReader(bytes);
  r.uint32();
  const end = r.uint32() + r.pos;
  const out = [];
  while (r.pos < end) out.push(r.float());
  return out;
}

function asBytes(values) {
  const w = new BinaryWriter();
  w.uint32(10).bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return w.finish();
}

function fromBytes(bytes) {
  const r = new BinaryReader(bytes);
  r.uint32();
  const b = Buffer.from(r.bytes());
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

function time(fn) {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return (performance.now() - t0) / iterations;
}

for (const [bags, dim] of [
  [25, 32],
  [256, 64],
  [1024, 64],
]) {
  const values = Float32Array.from({ length: bags * dim }, (_, i) => Math.sin(i));
  const p = packed(values);
  const b = asBytes(values);
  const packedMs = time(() => unpacked(packed(values)));
  const bytesMs = time(() => fromBytes(asBytes(values)));
  console.log(
    JSON.stringify({
      floats: values.length,
      packed_bytes: p.length,
      raw_bytes: b.length,
      packed_encode_decode_ms: +packedMs.toFixed(4),
      bytes_encode_decode_ms: +bytesMs.toFixed(4),
      speedup: +(packedMs / bytesMs).toFixed(1),
    }),
  );
}
