// One-pass serialisers for the messages that carry tensors: the generated service definitions of
// Lookup and Predict call these instead of ts-proto's encode (scripts/generate.mjs rewires them).
//
// ts-proto's writer grows its buffer by doubling, moves every nested message once more to fit its
// length prefix, and its result is copied again into a Buffer for grpc-js: measured in the
// orchestrator over two-stage RecPipe queries, 2.3 bytes allocated by the doubling and 2 more by
// the copies for every tensor byte sent, the external memory that sets off its garbage
// collections. These compute the exact size first and write every byte once into a Buffer of
// that size. They write what ts-proto writes, byte for byte (test/wire.test.ts checks that for
// every field, and that the schemas below name every field the generated types have).

/** How a field is written; a schema is a message's fields in the order ts-proto writes them. */
type FieldType = 'string' | 'uint32' | 'enum' | 'double' | 'bytes' | Schema;

export interface FieldSpec {
  readonly no: number;
  readonly key: string;
  readonly type: FieldType;
  readonly repeated?: boolean;
}

export type Schema = readonly FieldSpec[];

const BAGS: Schema = [
  { no: 1, key: 'indices', type: 'bytes' },
  { no: 2, key: 'offsets', type: 'bytes' },
  { no: 3, key: 'weights', type: 'bytes' },
];

/** The schemas of the messages serialised here, by message name. */
export const TENSOR_MESSAGES = {
  PredictRequest: [
    { no: 1, key: 'model', type: 'string' },
    { no: 2, key: 'batch', type: 'uint32' },
    { no: 3, key: 'dense', type: 'bytes' },
    { no: 4, key: 'embeddings', type: 'bytes' },
    { no: 5, key: 'version', type: 'uint32' },
  ],
  LookupRequest: [
    { no: 1, key: 'model', type: 'string' },
    {
      no: 2,
      key: 'lookups',
      repeated: true,
      type: [
        { no: 1, key: 'table', type: 'uint32' },
        { no: 2, key: 'bags', type: BAGS },
        { no: 3, key: 'pooling', type: 'enum' },
      ],
    },
    { no: 3, key: 'version', type: 'uint32' },
  ],
  LookupResponse: [
    {
      no: 1,
      key: 'pooled',
      repeated: true,
      type: [
        { no: 1, key: 'table', type: 'uint32' },
        { no: 2, key: 'bags', type: 'uint32' },
        { no: 3, key: 'dim', type: 'uint32' },
        { no: 4, key: 'values', type: 'bytes' },
      ],
    },
    { no: 2, key: 'shardId', type: 'string' },
    { no: 3, key: 'backend', type: 'string' },
    { no: 4, key: 'computeMs', type: 'double' },
  ],
} as const satisfies Record<string, Schema>;

export type TensorMessage = keyof typeof TENSOR_MESSAGES;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

type Value = Record<string, unknown>;

/** Bytes of a field's payload (without tag and length), or undefined when proto3 omits it. */
function payloadSize(type: FieldType, v: unknown): number | undefined {
  switch (type) {
    case 'string':
      return v === '' ? undefined : Buffer.byteLength(v as string, 'utf8');
    case 'uint32':
      return v === 0 ? undefined : varintSize(v as number);
    case 'enum':
      // int32 on the wire: a negative value takes ten bytes, as a sign-extended varint.
      return v === 0 ? undefined : (v as number) < 0 ? 10 : varintSize(v as number);
    case 'double':
      return v === 0 ? undefined : 8;
    case 'bytes':
      return (v as Uint8Array).length === 0 ? undefined : (v as Uint8Array).length;
    default:
      // A singular message is written when present, even empty; ts-proto's types use undefined.
      return v === undefined ? undefined : messageSize(type, v as Value);
  }
}

function wireType(type: FieldType): number {
  if (type === 'uint32' || type === 'enum') return WIRE_VARINT;
  return type === 'double' ? WIRE_FIXED64 : WIRE_LEN;
}

function fieldSize(field: FieldSpec, v: unknown): number {
  const payload = payloadSize(field.type, v);
  if (payload === undefined) return 0;
  const tag = varintSize(field.no * 8);
  return wireType(field.type) === WIRE_LEN ? tag + varintSize(payload) + payload : tag + payload;
}

function messageSize(schema: Schema, message: Value): number {
  let size = 0;
  for (const field of schema) {
    const v = message[field.key];
    if (field.repeated === true) for (const item of v as unknown[]) size += fieldSize(field, item);
    else size += fieldSize(field, v);
  }
  return size;
}

class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** A negative int32 as protobuf writes it: the 64-bit two's complement, ten bytes. */
  negativeVarint(v: number): void {
    let lo = v >>> 0;
    let hi = 0xffffffff;
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo & 0x01;
  }
}

function writeField(out: Out, field: FieldSpec, v: unknown): void {
  const payload = payloadSize(field.type, v);
  if (payload === undefined) return;
  const wire = wireType(field.type);
  out.varint(field.no * 8 + wire);
  if (wire === WIRE_LEN) out.varint(payload);
  switch (field.type) {
    case 'string':
      out.pos += out.buf.write(v as string, out.pos, 'utf8');
      return;
    case 'uint32':
      out.varint(v as number);
      return;
    case 'enum':
      if ((v as number) < 0) out.negativeVarint(v as number);
      else out.varint(v as number);
      return;
    case 'double':
      out.pos = out.buf.writeDoubleLE(v as number, out.pos);
      return;
    case 'bytes':
      out.buf.set(v as Uint8Array, out.pos);
      out.pos += payload;
      return;
    default:
      writeMessage(out, field.type, v as Value);
  }
}

function writeMessage(out: Out, schema: Schema, message: Value): void {
  for (const field of schema) {
    const v = message[field.key];
    if (field.repeated === true) for (const item of v as unknown[]) writeField(out, field, item);
    else writeField(out, field, v);
  }
}

/**
 * A message that carries its own wire bytes (encodePredictRequest): serializeTensorMessage sends
 * them as they are.
 */
const WIRE: unique symbol = Symbol('recmesh.wire');

/** `message` as protobuf bytes, in one Buffer of exactly its size. */
export function serializeTensorMessage<T extends object>(name: TensorMessage, message: T): Buffer {
  const encoded = (message as { [WIRE]?: Buffer })[WIRE];
  if (encoded !== undefined) return encoded;
  const schema: Schema = TENSOR_MESSAGES[name];
  const value = message as unknown as Value;
  const out = new Out(Buffer.allocUnsafe(messageSize(schema, value)));
  writeMessage(out, schema, value);
  return out.buf;
}

/** PredictRequest's fields but its embeddings, and its embeddings field (written last). */
const PREDICT_HEAD: Schema = TENSOR_MESSAGES.PredictRequest.filter((f) => f.key !== 'embeddings');
const PREDICT_EMBEDDINGS = TENSOR_MESSAGES.PredictRequest.find(
  (f) => f.key === 'embeddings',
) as FieldSpec;

/** A PredictRequest written before its embeddings are known, and where they go. */
export interface EncodedPredict<T> {
  /** The request: its fields, and the wire bytes it is sent as. */
  readonly request: T;
  /** The embeddings' bytes inside the wire bytes, to fill before the request is sent. */
  readonly embeddings: Buffer;
}

/**
 * A PredictRequest of `embeddingBytes` embedding bytes, written once into a Buffer of its exact
 * size before they are known: the caller pools the embeddings straight into `embeddings` (a view
 * of that Buffer), and serializeTensorMessage sends the Buffer as it is, so the batch's
 * embeddings are neither gathered into a tensor of their own nor copied into the message. The
 * embeddings field is written last (protobuf lets fields come in any order); the request's
 * `embeddings` is that view, its other fields are `head`'s.
 */
export function encodePredictRequest<
  T extends { model: string; batch: number; version: number; dense: Buffer; embeddings: Buffer },
>(head: Omit<T, 'embeddings'>, embeddingBytes: number): EncodedPredict<T> {
  const value = { ...head, embeddings: Buffer.alloc(0) } as unknown as Value;
  const tail =
    embeddingBytes === 0
      ? 0
      : varintSize(PREDICT_EMBEDDINGS.no * 8 + WIRE_LEN) +
        varintSize(embeddingBytes) +
        embeddingBytes;
  const out = new Out(Buffer.allocUnsafe(messageSize(PREDICT_HEAD, value) + tail));
  writeMessage(out, PREDICT_HEAD, value);
  if (embeddingBytes > 0) {
    out.varint(PREDICT_EMBEDDINGS.no * 8 + WIRE_LEN);
    out.varint(embeddingBytes);
  }
  const embeddings = out.buf.subarray(out.pos, out.pos + embeddingBytes);
  const request = { ...head, embeddings, [WIRE]: out.buf } as unknown as T;
  return { request, embeddings };
}
