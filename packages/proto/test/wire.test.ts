import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Bags,
  Candidates,
  DenseServiceService,
  EmbeddingServiceService,
  LookupRequest,
  LookupResponse,
  PooledTable,
  Pooling,
  PredictRequest,
  RankingServiceService,
  RankRequest,
  ItemSparse,
  TableLookup,
  UserFeatures,
  UserSparse,
} from '../src/index';
import {
  encodePredictRequest,
  preEncoded,
  serializeTensorMessage,
  TENSOR_MESSAGES,
  type Schema,
} from '../src/wire';

const bytes = (n: number, seed = 1) =>
  Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

/** Varint boundaries: one to five bytes. */
const UINTS = [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_456, 4_294_967_295];

/** Lookups of every shape: no bags, bags of 4096 ids, empty bags, unaligned lengths. */
const TABLE_LOOKUPS: TableLookup[] = [
  { table: 0, pooling: Pooling.POOLING_SUM, bags: undefined },
  {
    table: 25,
    pooling: Pooling.POOLING_MEAN,
    bags: { indices: bytes(4096 * 4), offsets: bytes(1025 * 4, 7), weights: Buffer.alloc(0) },
  },
  {
    table: 300,
    pooling: Pooling.UNRECOGNIZED,
    bags: { indices: Buffer.alloc(0), offsets: Buffer.alloc(0), weights: Buffer.alloc(0) },
  },
  { table: 1, pooling: 0, bags: { indices: bytes(3), offsets: bytes(8), weights: bytes(12) } },
];

const predicts: PredictRequest[] = [
  {
    model: '',
    batch: 0,
    dense: Buffer.alloc(0),
    embeddings: Buffer.alloc(0),
    version: 0,
    sharedTables: [],
    lookups: [],
  },
  ...UINTS.map((u, i) => ({
    model: i % 2 === 0 ? 'rm-large' : 'modèle-ü-😀',
    batch: u,
    dense: bytes(i * 13),
    embeddings: bytes([0, 1, 127, 128, 20_000, 70_000][i % 6] as number, i),
    version: UINTS[UINTS.length - 1 - i] as number,
    sharedTables: [[], [0], [0, 5, 300], [127, 128, 4_294_967_295]][i % 4] as number[],
    lookups: i % 3 === 1 ? TABLE_LOOKUPS : [],
  })),
];

const lookups: LookupRequest[] = [
  { model: '', lookups: [], version: 0 },
  {
    model: 'rm-small',
    version: 3,
    lookups: TABLE_LOOKUPS,
  },
];

const replies: LookupResponse[] = [
  { pooled: [], shardId: '', backend: '', computeMs: 0 },
  { pooled: [], shardId: 's', backend: 'cpu', computeMs: -0 },
  ...[0.25, -1.5, 1e-300, 123_456.789, Number.NaN].map((ms, i) => ({
    pooled: Array.from({ length: i + 1 }, (_, t) => ({
      table: t * 100,
      bags: UINTS[(t + i) % UINTS.length] as number,
      dim: [0, 4, 32, 128][t % 4] as number,
      values: bytes([0, 16, 200, 131_072][t % 4] as number, t),
    })),
    shardId: `shard-${i}`,
    backend: i % 2 === 0 ? 'cpu' : 'nmp',
    computeMs: ms,
  })),
];

const ranks: RankRequest[] = [
  { model: '', user: undefined, items: undefined, topK: 0, taskWeights: [] },
  {
    model: 'two-stage',
    user: {
      dense: bytes(13 * 4),
      sparse: [
        { table: 0, indices: bytes(4), weights: Buffer.alloc(0) },
        { table: 12, indices: bytes(12, 3), weights: bytes(12, 5) },
      ],
    },
    items: {
      count: 4096,
      itemIds: bytes(4096 * 8),
      dense: bytes(4096 * 13 * 4, 2),
      sparse: [
        {
          table: 13,
          bags: { indices: bytes(4096 * 4), offsets: bytes(4096 * 4, 9), weights: Buffer.alloc(0) },
        },
        { table: 25, bags: undefined },
      ],
    },
    topK: 64,
    taskWeights: [0.5, 2, -1.25],
  },
  {
    model: 'm',
    user: { dense: Buffer.alloc(0), sparse: [] },
    items: { count: 0, itemIds: Buffer.alloc(0), dense: Buffer.alloc(0), sparse: [] },
    topK: 4_294_967_295,
    taskWeights: [],
  },
];

/** `message` as grpc-js hands it to the decoder: after a 5-byte frame header, in one buffer. */
function framed(message: Buffer): Buffer {
  return Buffer.concat([Buffer.alloc(5), message]).subarray(5);
}

/** Every non-empty bytes field of a decoded message starts on a 4-byte boundary. */
function assertAligned(value: unknown, where: string): void {
  if (value instanceof Uint8Array) {
    if (value.length > 0) assert.equal(value.byteOffset % 4, 0, `${where}: a tensor unaligned`);
    return;
  }
  if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) assertAligned(v, where);
}

function keysOf(schema: Schema): string[] {
  return schema.map((f) => f.key).sort();
}

describe('tensor message serialisers', () => {
  it("name every field of the generated types, in ts-proto's order", () => {
    const empty = new Uint8Array();
    const base = (o: object) => Object.keys(o).sort();
    assert.deepEqual(keysOf(TENSOR_MESSAGES.PredictRequest), base(PredictRequest.decode(empty)));
    assert.deepEqual(keysOf(TENSOR_MESSAGES.LookupRequest), base(LookupRequest.decode(empty)));
    assert.deepEqual(keysOf(TENSOR_MESSAGES.LookupResponse), base(LookupResponse.decode(empty)));
    assert.deepEqual(keysOf(TENSOR_MESSAGES.RankRequest), base(RankRequest.decode(empty)));
    const field = (schema: Schema, key: string) =>
      schema.find((f) => f.key === key)?.type as Schema;
    const user = field(TENSOR_MESSAGES.RankRequest, 'user');
    const items = field(TENSOR_MESSAGES.RankRequest, 'items');
    assert.deepEqual(keysOf(user), base(UserFeatures.decode(empty)));
    assert.deepEqual(keysOf(field(user, 'sparse')), base(UserSparse.decode(empty)));
    assert.deepEqual(keysOf(items), base(Candidates.decode(empty)));
    assert.deepEqual(keysOf(field(items, 'sparse')), base(ItemSparse.decode(empty)));
    const [lookup] = TENSOR_MESSAGES.LookupRequest.filter((f) => f.key === 'lookups');
    const [pooled] = TENSOR_MESSAGES.LookupResponse.filter((f) => f.key === 'pooled');
    assert.deepEqual(keysOf(lookup?.type as Schema), base(TableLookup.decode(empty)));
    assert.deepEqual(keysOf(pooled?.type as Schema), base(PooledTable.decode(empty)));
    const bags = (lookup?.type as Schema).find((f) => f.key === 'bags')?.type as Schema;
    assert.deepEqual(keysOf(bags), base(Bags.decode(empty)));
    for (const schema of Object.values(TENSOR_MESSAGES)) {
      const numbers = schema.map((f) => f.no);
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
      );
    }
  });

  it("decode to what ts-proto's bytes decode to, every tensor aligned where the receiver reads it (defaults omitted, 1- to 10-byte varints, UTF-8, NaN)", () => {
    const same = <T extends object>(
      name: keyof typeof TENSOR_MESSAGES,
      fns: { encode(m: T): { finish(): Uint8Array }; decode(b: Uint8Array): T },
      messages: T[],
    ) =>
      messages.forEach((m, i) => {
        const want = Buffer.from(fns.encode(m).finish());
        const got = serializeTensorMessage(name, m);
        // Padding: at most 3 bytes per tensor and 4 per nested message.
        assert.ok(got.length >= want.length, `${name} #${i}: ${got.length} < ${want.length}`);
        const back = fns.decode(framed(got));
        assert.deepEqual(back, fns.decode(want), `${name} #${i}`);
        assertAligned(back, `${name} #${i}`);
      });
    same('PredictRequest', PredictRequest, predicts);
    same('LookupRequest', LookupRequest, lookups);
    same('LookupResponse', LookupResponse, replies);
    same('RankRequest', RankRequest, ranks);
  });

  it('preEncoded: the bytes written once are what Rank sends, every time', () => {
    const rank = RankingServiceService.rank;
    for (const m of ranks) {
      const once = preEncoded('RankRequest', m);
      const first = rank.requestSerialize(once);
      assert.equal(rank.requestSerialize(once), first, 'the same Buffer, not a new encoding');
      assert.ok(first.equals(serializeTensorMessage('RankRequest', m)));
      assert.deepEqual(
        RankRequest.decode(first),
        RankRequest.decode(RankRequest.encode(m).finish()),
      );
    }
  });

  it('are what the Predict and Lookup definitions serialise with, and decode back', () => {
    const predict = DenseServiceService.predict;
    const lookup = EmbeddingServiceService.lookup;
    for (const m of predicts) {
      const wire = predict.requestSerialize(m);
      assert.ok(wire.equals(serializeTensorMessage('PredictRequest', m)));
      assert.deepEqual(predict.requestDeserialize(wire), PredictRequest.decode(wire));
      assert.equal(predict.requestDeserialize(wire).batch, m.batch);
    }
    for (const m of lookups)
      assert.ok(lookup.requestSerialize(m).equals(serializeTensorMessage('LookupRequest', m)));
    for (const m of replies) {
      const wire = lookup.responseSerialize(m);
      assert.ok(wire.equals(serializeTensorMessage('LookupResponse', m)));
      const back = lookup.responseDeserialize(wire);
      assert.equal(back.pooled.length, m.pooled.length);
      back.pooled.forEach((p, t) =>
        assert.deepEqual(Buffer.from(p.values), Buffer.from(m.pooled[t]?.values ?? [])),
      );
    }
  });

  it('encodePredictRequest: the embeddings filled in place are sent as the message ts-proto decodes', () => {
    const predict = DenseServiceService.predict;
    for (const m of predicts) {
      const { request, embeddings } = encodePredictRequest<PredictRequest>(
        {
          model: m.model,
          version: m.version,
          batch: m.batch,
          dense: m.dense,
          sharedTables: m.sharedTables,
          lookups: m.lookups,
        },
        m.embeddings.length,
      );
      assert.equal(embeddings.length, m.embeddings.length);
      embeddings.set(m.embeddings);
      const wire = predict.requestSerialize(request);
      // At most 3 bytes of varint padding per tensor, to align each for the receiver, and 4 per
      // nested message (its length always 5 bytes): a lookup and its bags, with 3 tensors.
      const canonical = PredictRequest.encode(m).finish().length;
      const most = canonical + 6 + m.lookups.length * (3 * 3 + 2 * 4);
      assert.ok(wire.length >= canonical && wire.length <= most, `${wire.length} bytes`);
      // The request is its wire bytes: serialising it copies nothing more.
      assert.equal(wire.buffer, embeddings.buffer);
      const received = framed(wire);
      const back = PredictRequest.decode(received);
      assertAligned(back, 'encodePredictRequest');
      // Decoded bytes are views of the received message, not copies.
      if (back.embeddings.length > 0) assert.equal(back.embeddings.buffer, received.buffer);
      assert.deepEqual(back, PredictRequest.decode(serializeTensorMessage('PredictRequest', m)));
      assert.deepEqual({ ...back }, { ...m, dense: back.dense, embeddings: back.embeddings });
      assert.ok(back.dense.equals(m.dense) && back.embeddings.equals(m.embeddings));
    }
  });
});
