import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interactionWidth, resolveModel, resolveModels, tableBytes } from '../src/index';

const opts = { rowScale: 0.01, seed: 1 };

describe('model presets', () => {
  it('resolve RMC1 as DeepRecInfra configures it, scaled', () => {
    const m = resolveModel('rmc1', opts);
    assert.equal(m.tables.length, 8);
    assert.equal(m.tables[0]?.rows, 40_000);
    assert.equal(m.dim, 32);
    assert.equal(m.denseFeatures, 128);
    assert.deepEqual(m.bottomMlp, [64, 32]);
    assert.deepEqual(m.topMlp, [256, 64, 1]);
    assert.equal(m.interaction, 'cat');
    assert.deepEqual(m.targets, { low: 50, medium: 100, high: 150 });
    assert.equal(
      tableBytes(resolveModel('rmc1', { rowScale: 1, seed: 1 })),
      8 * 4_000_000 * 32 * 4,
    );
  });

  it('take the interaction from the name', () => {
    assert.equal(resolveModel('rmc3-dot', opts).interaction, 'dot');
    assert.equal(resolveModel('rmc3-cat', opts).interaction, 'cat');
    // DLRM: cat = dim * (tables + 1); dot = dim + (tables + 1) * tables / 2 pairs
    assert.equal(interactionWidth(resolveModel('rmc2', opts)), 64 * 33);
    assert.equal(interactionWidth(resolveModel('rmc2-dot', opts)), 64 + (33 * 32) / 2);
  });

  it('refuse unknown names, bad scales and duplicates, naming them', () => {
    assert.throws(
      () => resolveModel('rmc9', opts),
      (e: Error & { kind?: string }) => e.kind === 'not_found' && /model = "rmc9"/.test(e.message),
    );
    assert.throws(() => resolveModel('toString', opts), /unknown model/);
    assert.throws(() => resolveModel('rmc1', { rowScale: 0, seed: 1 }), /rowScale = 0/);
    assert.throws(() => resolveModels('rmc1,rmc1', opts), /lists rmc1 twice/);
    assert.throws(() => resolveModels(' , ', opts), /names no model/);
  });

  it('keep at least one row per table at any scale', () => {
    assert.equal(resolveModel('rmc2', { rowScale: 1e-9, seed: 1 }).tables[0]?.rows, 1);
  });
});
