import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { buildDenseGraph, denseMacs, dotPairs, resolveModel } from '../src/index';

describe('dense graph pieces', () => {
  it('dot pairs follow the DLRM reference order (i outer, j < i inner)', () => {
    // T = 2 tables: vectors [x, e0, e1]; pairs (1,0), (2,0), (2,1) in a 3x3 matrix.
    assert.deepEqual(dotPairs(2), [3, 6, 7]);
    assert.equal(dotPairs(26).length, (27 * 26) / 2);
    // With the interaction itself, the diagonal too: (0,0), (1,0), (1,1), (2,0), (2,1), (2,2).
    assert.deepEqual(dotPairs(2, true), [0, 3, 4, 6, 7, 8]);
  });

  it("count RecPipe's models at 27K, 37K and 241K multiply-accumulates per item with dot", () => {
    // RecPipe's table gives 12K, 17K and 200K FLOPs; its repository's default interaction is dot,
    // and the steps between the models are closer to dot's (RM-med - RM-small: 10.3K, RM-large -
    // RM-med: 204K; RecPipe: 5K, 183K) than to concatenation's (21.5K, 234K).
    const macs = (n: string) => denseMacs(resolveModel(n, { rowScale: 0.001, seed: 1 }));
    assert.deepEqual(
      ['rm-small', 'rm-med', 'rm-large'].map((n) => Math.round(macs(n) / 100) / 10),
      [26.8, 37.1, 240.9],
    );
    assert.equal(Math.round(macs('rm-med-cat') - macs('rm-small-cat')), 21504);
    assert.equal(Math.round(macs('rm-large-cat') - macs('rm-med-cat')), 234208);
  });

  it('fold the dot pairs into a narrow first top layer and select them before a wide one', () => {
    const lowering = (name: string) => {
      const graph = onnx.ModelProto.decode(
        buildDenseGraph(resolveModel(name, { rowScale: 0.001, seed: 1 })),
      ).graph;
      const inits = new Set((graph?.initializer ?? []).map((t) => t.name));
      if (inits.has('top.0.weight_gram')) return 'folded';
      return inits.has('dot_pairs') ? 'selected' : 'none';
    };
    // RM-small and RM-med: 27 vectors into 64 wide; RM-large 96; RMC2-dot-self 33 into 128.
    assert.equal(lowering('rm-small'), 'folded');
    assert.equal(lowering('rm-med'), 'folded');
    assert.equal(lowering('rm-large'), 'folded');
    assert.equal(lowering('rmc2-dot-self'), 'folded');
    // RMC1-dot (9 vectors into 256) and RMC3-dot (11 into 512) select the pairs.
    assert.equal(lowering('rmc1-dot'), 'selected');
    assert.equal(lowering('rmc3-dot'), 'selected');
    assert.equal(lowering('rmc1'), 'none');
  });
});
