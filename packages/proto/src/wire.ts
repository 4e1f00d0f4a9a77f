// One-pass serialisers for the messages that carry tensors: the generated service definitions of
// Rank, Lookup and Predict call these instead of ts-proto's encode (scripts/generate.mjs rewires
// them).
//
// ts-proto's writer grows its buffer by doubling, moves every nested message once more to fit its
// length prefix, and its result is copied again into a Buffer for grpc-js: measured in the
// orchestrator over two-stage RecPipe queries, 2.3 bytes allocated by the doubling and 2 more by
// the copies for every tensor byte sent, the external memory that sets off its garbage
// collections. These lay the message out first and write every byte once into a Buffer of its
// exact size. Every bytes field's payload is placed where the receiver finds it 4-byte aligned
// (alignedAt), so that services view float32 and int32 tensors in place instead of copying them:
// the length before it is a varint padded with zero-valued continuation bytes, and a nested
// message's length always takes 5 bytes, so that the positions after it do not depend on its
// size. Protobuf readers accept both (a varint may take up to 10 bytes); the bytes decode to
// what ts-proto's do (test/wire.test.ts checks that for every field, and that the schemas below
// name every field the generated types have).

/**
 * How a field is written; a schema is a message's fields in the order ts-proto writes them.
 * 'floats' and 'uint32s' are packed repeated float and uint32.
 */
type FieldType = 'string' | 'uint32' | 'enum' | 'double' | 'bytes' | 'floats' | 'uint32s' | Schema;

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

const USER_SPARSE: Schema = [
  { no: 1, key: 'table', type: 'uint32' },
  { no: 2, key: 'indices', type: 'bytes' },
  { no: 3, key: 'weights', type: 'bytes' },
];

const ITEM_SPARSE: Schema = [
  { no: 1, key: 'table', type: 'uint32' },
  { no: 2, key: 'bags', type: BAGS },
];

const TABLE_LOOKUP: Schema = [
  { no: 1, key: 'table', type: 'uint32' },
  { no: 2, key: 'bags', type: BAGS },
  { no: 3, key: 'pooling', type: 'enum' },
];

const POOLED_TABLE: Schema = [
  { no: 1, key: 'table', type: 'uint32' },
  { no: 2, key: 'bags', type: 'uint32' },
  { no: 3, key: 'dim', type: 'uint32' },
  { no: 4, key: 'values', type: 'bytes' },
];

/** The schemas of the messages serialised here, by message name. */
export const TENSOR_MESSAGES = {
  RankRequest: [
    { no: 1, key: 'model', type: 'string' },
    {
      no: 2,
      key: 'user',
      type: [
        { no: 1, key: 'dense', type: 'bytes' },
        { no: 2, key: 'sparse', repeated: true, type: USER_SPARSE },
      ],
    },
    {
      no: 3,
      key: 'items',
      type: [
        { no: 1, key: 'count', type: 'uint32' },
        { no: 2, key: 'itemIds', type: 'bytes' },
        { no: 3, key: 'dense', type: 'bytes' },
        { no: 4, key: 'sparse', repeated: true, type: ITEM_SPARSE },
      ],
    },
    { no: 4, key: 'topK', type: 'uint32' },
    { no: 5, key: 'taskWeights', type: 'floats' },
  ],
  PredictRequest: [
    { no: 1, key: 'model', type: 'string' },
    { no: 2, key: 'batch', type: 'uint32' },
    { no: 3, key: 'dense', type: 'bytes' },
    { no: 4, key: 'embeddings', type: 'bytes' },
    { no: 5, key: 'version', type: 'uint32' },
    { no: 6, key: 'sharedTables', type: 'uint32s' },
    { no: 7, key: 'lookups', repeated: true, type: TABLE_LOOKUP },
  ],
  LookupRequest: [
    { no: 1, key: 'model', type: 'string' },
    { no: 2, key: 'lookups', repeated: true, type: TABLE_LOOKUP },
    { no: 3, key: 'version', type: 'uint32' },
  ],
  LookupResponse: [
    { no: 1, key: 'pooled', repeated: true, type: POOLED_TABLE },
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

/**
 * Bytes before a message in the buffer a gRPC receiver decodes it from: grpc-js reassembles each
 * message with its 5-byte frame header (compression flag, length) into one buffer of its own and
 * hands the decoder the view that follows the header.
 */
const GRPC_FRAME_HEADER = 5;

/** Bytes of a nested message's length prefix: fixed (a 5-byte varint holds any uint32). */
const NESTED_LENGTH_BYTES = 5;

/** Padding (0-3 bytes) that moves a payload at message position `at` to a 4-byte boundary. */
function alignedAt(at: number): number {
  return (4 - ((GRPC_FRAME_HEADER + at) % 4)) % 4;
}

/** Bytes of a scalar field's payload (without tag and length), undefined when proto3 omits it. */
function payloadSize(type: Exclude<FieldType, Schema>, v: unknown): number | undefined {
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
    case 'floats':
      return (v as number[]).length === 0 ? undefined : 4 * (v as number[]).length;
    case 'uint32s':
      return (v as number[]).length === 0
        ? undefined
        : (v as number[]).reduce((n, x) => n + varintSize(x), 0);
  }
}

function wireType(type: FieldType): number {
  if (type === 'uint32' || type === 'enum') return WIRE_VARINT;
  return type === 'double' ? WIRE_FIXED64 : WIRE_LEN;
}

/**
 * Where a field written at `pos` ends. Nested messages' lengths are pushed onto `nested` in the
 * order writeMessage meets them.
 */
function layoutField(field: FieldSpec, v: unknown, pos: number, nested: number[]): number {
  const tag = varintSize(field.no * 8);
  const type = field.type;
  if (typeof type !== 'string') {
    // A singular message is written when present, even empty; ts-proto's types use undefined.
    if (v === undefined) return pos;
    const slot = nested.push(0) - 1;
    const start = pos + tag + NESTED_LENGTH_BYTES;
    const end = layoutMessage(type, v as Value, start, nested);
    nested[slot] = end - start;
    return end;
  }
  const payload = payloadSize(type, v);
  if (payload === undefined) return pos;
  if (type === 'bytes') return bytesFieldEnd(field.no, payload, pos);
  return pos + tag + (wireType(type) === WIRE_LEN ? varintSize(payload) : 0) + payload;
}

/** Where a bytes field of `length` bytes written at `pos` ends (its payload aligned). */
function bytesFieldEnd(no: number, length: number, pos: number): number {
  const at = pos + varintSize(no * 8 + WIRE_LEN) + varintSize(length);
  return at + alignedAt(at) + length;
}

function layoutMessage(schema: Schema, message: Value, pos: number, nested: number[]): number {
  for (const field of schema) {
    const v = message[field.key];
    if (field.repeated === true)
      for (const item of v as unknown[]) pos = layoutField(field, item, pos, nested);
    else pos = layoutField(field, v, pos, nested);
  }
  return pos;
}

class Out {
  pos = 0;
  /** The index in `nested` (the nested messages' lengths, in writing order) of the next one. */
  next = 0;
  constructor(
    readonly buf: Buffer,
    readonly nested: readonly number[] = [],
  ) {}

  varint(v: number): void {
    this.paddedVarint(v, varintSize(v));
  }

  /** `v` in `bytes` bytes: a varint padded with zero-valued continuation bytes. */
  paddedVarint(v: number, bytes: number): void {
    for (let i = 0; i < bytes - 1; i++) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** A bytes field's tag and length, padded so that its payload (next) is aligned. */
  bytesHead(no: number, length: number): void {
    this.varint(no * 8 + WIRE_LEN);
    const minimal = varintSize(length);
    this.paddedVarint(length, minimal + alignedAt(this.pos + minimal));
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
  const type = field.type;
  if (typeof type !== 'string') {
    if (v === undefined) return;
    out.varint(field.no * 8 + WIRE_LEN);
    out.paddedVarint(out.nested[out.next++] as number, NESTED_LENGTH_BYTES);
    writeMessage(out, type, v as Value);
    return;
  }
  const payload = payloadSize(type, v);
  if (payload === undefined) return;
  if (type === 'bytes') {
    out.bytesHead(field.no, payload);
    out.buf.set(v as Uint8Array, out.pos);
    out.pos += payload;
    return;
  }
  const wire = wireType(type);
  out.varint(field.no * 8 + wire);
  if (wire === WIRE_LEN) out.varint(payload);
  switch (type) {
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
    case 'floats':
      for (const x of v as number[]) out.pos = out.buf.writeFloatLE(x, out.pos);
      return;
    case 'uint32s':
      for (const x of v as number[]) out.varint(x);
      return;
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
 * A message that carries its own wire bytes (encodePredictRequest, preEncoded):
 * serializeTensorMessage sends them as they are.
 */
const WIRE: unique symbol = Symbol('recmesh.wire');

/** `message` as protobuf bytes, in one Buffer of exactly its size. */
export function serializeTensorMessage<T extends object>(name: TensorMessage, message: T): Buffer {
  const encoded = (message as { [WIRE]?: Buffer })[WIRE];
  if (encoded !== undefined) return encoded;
  const schema: Schema = TENSOR_MESSAGES[name];
  const value = message as unknown as Value;
  const nested: number[] = [];
  const out = new Out(Buffer.allocUnsafe(layoutMessage(schema, value, 0, nested)), nested);
  writeMessage(out, schema, value);
  return out.buf;
}

/**
 * `message` with its wire bytes written now: serialising it sends them as they are, however often
 * it is sent (a load generator sending the same requests again measures the mesh, not its own
 * encoder). The message must not change afterwards.
 */
export function preEncoded<T extends object>(name: TensorMessage, message: T): T {
  return { ...message, [WIRE]: serializeTensorMessage(name, message) };
}

/** PredictRequest's fields but its embeddings (written last, once their size is known). */
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
  /** The wire bytes (from `allocate`): free to reuse once every call that sent them has ended. */
  readonly wire: Buffer;
}

/**
 * A PredictRequest of `embeddingBytes` embedding bytes, written once into a Buffer of its exact
 * size before they are known: the caller pools the embeddings straight into `embeddings` (a view
 * of that Buffer), and serializeTensorMessage sends the Buffer as it is, so the batch's
 * embeddings are neither gathered into a tensor of their own nor copied into the message. The
 * embeddings field is written last (protobuf lets fields come in any order), aligned like every
 * tensor. The request's `embeddings` is that view, its other fields are `head`'s. `allocate`
 * gives the buffer (of exactly the size asked, contents irrelevant: every byte is written or is
 * the embeddings').
 */
export function encodePredictRequest<
  T extends {
    model: string;
    batch: number;
    version: number;
    dense: Buffer;
    embeddings: Buffer;
    sharedTables: number[];
  },
>(
  head: Omit<T, 'embeddings'>,
  embeddingBytes: number,
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): EncodedPredict<T> {
  const value = head as unknown as Value;
  const nested: number[] = [];
  const headBytes = layoutMessage(PREDICT_HEAD, value, 0, nested);
  const size =
    embeddingBytes === 0
      ? headBytes
      : bytesFieldEnd(PREDICT_EMBEDDINGS.no, embeddingBytes, headBytes);
  const out = new Out(allocate(size), nested);
  writeMessage(out, PREDICT_HEAD, value);
  if (embeddingBytes > 0) out.bytesHead(PREDICT_EMBEDDINGS.no, embeddingBytes);
  const embeddings = out.buf.subarray(out.pos, out.pos + embeddingBytes);
  const request = { ...head, embeddings, [WIRE]: out.buf } as unknown as T;
  return { request, embeddings, wire: out.buf };
}

/**
 * A decoded bytes field as a Buffer over the received message's memory (no copy): the generated
 * decoders call this where ts-proto copies (scripts/generate.mjs rewires them). grpc-js gives each
 * message a buffer of its own, so the views stay valid as long as they are held, and they keep
 * that buffer alive as long: a decoded message is read, not kept, and its tensors not written to.
 */
export function bytesView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
