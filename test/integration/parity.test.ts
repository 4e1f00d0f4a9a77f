// The mesh's scores for RMC1, RMC2 and RMC3 (small row scale, both interactions) equal an
// independent plain-TypeScript forward pass over the same weights within 1e-5 relative.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveModel } from '@recmesh/models';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { ReferenceDlrm } from '../support/reference-dlrm';
import { startTestMesh, type TestMesh } from '../support/local-mesh';

const MODELS = ['rmc1', 'rmc1-dot', 'rmc2', 'rmc2-dot', 'rmc3', 'rmc3-dot'];
const ROW_SCALE = 0.0005;
const SEED = 7;

describe('score parity with an independent forward pass', () => {
  let t: TestMesh;
  before(async () => {
    t = await startTestMesh({
      models: MODELS.join(','),
      rowScale: ROW_SCALE,
      seed: SEED,
      batchSize: 7,
    });
  });
  after(() => t.stop());

  for (const name of MODELS) {
    it(`${name}: every item's score within 1e-5 relative`, async () => {
      const spec = resolveModel(name, { rowScale: ROW_SCALE, seed: SEED });
      const reference = new ReferenceDlrm(spec);
      const count = 23; // not a multiple of the batch size: the last batch is short
      const query = syntheticQuery(spec, count, new Rng(11), 0);
      const reply = await t.client.rank(query);
      assert.equal(reply.items.length, count);
      for (const item of reply.items) {
        const bags = (query.items.sparse ?? []).map((s) => {
          const start = s.offsets[item.index] as number;
          const end =
            item.index + 1 < count ? (s.offsets[item.index + 1] as number) : s.indices.length;
          return Array.prototype.slice.call(s.indices, start, end) as number[];
        });
        const expected = reference.score({ dense: query.user.dense as Float32Array, bags });
        const rel = Math.abs(item.score - expected) / Math.max(Math.abs(expected), 1e-12);
        assert.ok(
          rel <= 1e-5,
          `${name} item ${item.index}: mesh ${item.score}, reference ${expected}, relative error ${rel}`,
        );
      }
      // Best first, ties by request order.
      for (let i = 1; i < reply.items.length; i++) {
        const a = reply.items[i - 1];
        const b = reply.items[i];
        assert.ok(
          a !== undefined &&
            b !== undefined &&
            (a.score > b.score || (a.score === b.score && a.index < b.index)),
        );
      }
    });
  }
});
