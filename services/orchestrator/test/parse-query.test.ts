import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRankRequest, type PlainQuery } from '@recmesh/client';
import { resolveModel } from '@recmesh/models';
import { parseQuery } from '../src/rank/parse-query';

const spec = resolveModel('rmc1', { rowScale: 0.0001, seed: 1 }); // 8 tables x 400 rows, 128 dense
const rows = spec.tables[0]?.rows ?? 0;

function query(
  edit: (q: { -readonly [K in keyof PlainQuery]: PlainQuery[K] }) => void = () => undefined,
): PlainQuery {
  const q = {
    model: 'rmc1',
    topK: 2,
    user: { dense: new Float32Array(spec.denseFeatures) },
    items: { count: 3, sparse: [{ table: 0, indices: [1, 2, 3], offsets: [0, 1, 2] }] },
  };
  edit(q);
  return q;
}

const bad = (q: PlainQuery, pattern: RegExp, max = 100) =>
  assert.throws(
    () => parseQuery(toRankRequest(q), spec, max),
    (e: Error & { kind?: string }) => e.kind === 'invalid_argument' && pattern.test(e.message),
  );

describe('Rank request validation', () => {
  it('accepts a good query: item bags, user bags for other tables, nothing for the rest', () => {
    const parsed = parseQuery(
      toRankRequest(
        query((q) => (q.user = { ...q.user, sparse: [{ table: 1, indices: [5, rows - 1] }] })),
      ),
      spec,
      100,
    );
    assert.equal(parsed.count, 3);
    assert.equal(parsed.topK, 2);
    assert.deepEqual(
      parsed.tables.map((t) => t.kind),
      ['items', 'user', 'none', 'none', 'none', 'none', 'none', 'none'],
    );
  });

  it('refuses an empty query or more items than the maximum', () => {
    bad(
      query((q) => (q.items = { count: 0 })),
      /items\.count = 0: the query has no candidate items/,
    );
    bad(query(), /items\.count = 3: more items than the configured maximum of 2/, 2);
  });

  it('refuses an index outside its table, naming field and value', () => {
    bad(
      query(
        (q) =>
          (q.items = {
            count: 3,
            sparse: [{ table: 0, indices: [1, rows, 3], offsets: [0, 1, 2] }],
          }),
      ),
      new RegExp(
        `items\\.sparse\\[0\\]\\.bags\\.indices\\[1\\] = ${rows}: outside the table's ${rows} rows`,
      ),
    );
    bad(
      query((q) => (q.user = { ...q.user, sparse: [{ table: 2, indices: [-4] }] })),
      /user\.sparse\[0\]\.indices\[0\] = -4/,
    );
  });

  it('refuses offsets that decrease, do not start at 0, pass the end, or do not give one bag per item', () => {
    bad(
      query(
        (q) =>
          (q.items = { count: 3, sparse: [{ table: 0, indices: [1, 2, 3], offsets: [0, 2, 1] }] }),
      ),
      /offsets\[2\] = 1: offsets must not decrease/,
    );
    bad(
      query(
        (q) =>
          (q.items = { count: 3, sparse: [{ table: 0, indices: [1, 2, 3], offsets: [1, 2, 3] }] }),
      ),
      /offsets\[0\] = 1/,
    );
    bad(
      query(
        (q) =>
          (q.items = { count: 3, sparse: [{ table: 0, indices: [1, 2, 3], offsets: [0, 1, 4] }] }),
      ),
      /offsets\[2\] = 4: past the end/,
    );
    bad(
      query(
        (q) =>
          (q.items = { count: 3, sparse: [{ table: 0, indices: [1, 2, 3], offsets: [0, 1] }] }),
      ),
      /bags\.offsets = "2 bags": expected one bag per item \(3\)/,
    );
  });

  it('reads bags sent without offsets as one index per item, and names a count that does not fit', () => {
    const sent = toRankRequest(
      query((q) => (q.items = { count: 3, sparse: [{ table: 0, indices: [4, 5, 6] }] })),
    );
    assert.equal(sent.items?.sparse[0]?.bags?.offsets.length, 0);
    const parsed = parseQuery(sent, spec, 100);
    const source = parsed.tables[0];
    assert.equal(source?.kind, 'items');
    if (source?.kind === 'items') {
      assert.deepEqual([...source.bags.offsets], [0, 1, 2]);
      assert.deepEqual([...source.bags.indices], [4, 5, 6]);
    }
    // Offsets given in the one-index form are left off the wire by the client.
    assert.equal(toRankRequest(query()).items?.sparse[0]?.bags?.offsets.length, 0);
    bad(
      query((q) => (q.items = { count: 3, sparse: [{ table: 0, indices: [4, 5] }] })),
      /bags\.offsets = "empty \(one bag per index: 2 bags\)": expected one bag per item \(3\)/,
    );
  });

  it('refuses wrong dense widths, unknown or repeated tables, mismatched weights and ids', () => {
    bad(
      query((q) => (q.user = { dense: new Float32Array(5) })),
      /user\.dense = "5 floats": rmc1 has 128 dense features/,
    );
    bad(
      query((q) => (q.user = {})),
      /user\.dense = "empty"/,
    );
    bad(
      query((q) => (q.items = { count: 3, dense: new Float32Array(7) })),
      /items\.dense = "7 floats"/,
    );
    bad(
      query(
        (q) =>
          (q.items = { count: 3, sparse: [{ table: 8, indices: [1, 2, 3], offsets: [0, 1, 2] }] }),
      ),
      /items\.sparse\[0\]\.table = 8: rmc1 has tables 0\.\.7/,
    );
    bad(
      query(
        (q) =>
          (q.items = {
            count: 3,
            sparse: [
              { table: 1, indices: [1, 2, 3], offsets: [0, 1, 2] },
              { table: 1, indices: [1, 2, 3], offsets: [0, 1, 2] },
            ],
          }),
      ),
      /items\.sparse\[1\]\.table = 1: table given twice/,
    );
    bad(
      query(
        (q) =>
          (q.items = {
            count: 3,
            sparse: [{ table: 0, indices: [1, 2, 3], offsets: [0, 1, 2], weights: [1] }],
          }),
      ),
      /weights = "1 weights"/,
    );
    bad(
      query((q) => (q.items = { count: 3, itemIds: [1, 2] })),
      /items\.item_ids = "2 ids": expected one per item \(3\)/,
    );
  });

  it('clamps top_k to the query and reads 0 as every item', () => {
    assert.equal(parseQuery(toRankRequest(query((q) => (q.topK = 50))), spec, 100).topK, 3);
    assert.equal(parseQuery(toRankRequest(query((q) => (q.topK = 0))), spec, 100).topK, 3);
  });
});
