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
    assert.deepEqual(m.architecture, {
      kind: 'dlrm',
      bottomMlp: [64, 32],
      topMlp: [256, 64, 1],
      interaction: 'cat',
    });
    assert.equal(m.version, 1);
    assert.deepEqual(m.tasks, [{ name: 'click', weight: 1 }]);
    assert.deepEqual(m.targets, { low: 50, medium: 100, high: 150 });
    assert.equal(
      tableBytes(resolveModel('rmc1', { rowScale: 1, seed: 1 })),
      8 * 4_000_000 * 32 * 4,
    );
  });

  it('take the interaction from the name', () => {
    const interaction = (name: string) => {
      const a = resolveModel(name, opts).architecture;
      return a.kind === 'dlrm' ? a.interaction : undefined;
    };
    assert.equal(interaction('rmc3-dot'), 'dot');
    assert.equal(interaction('rmc3-cat'), 'cat');
    assert.equal(interaction('rmc3-dot-self'), 'dot-self');
    assert.equal(interaction('rm-small'), 'dot');
    assert.equal(interaction('rm-small-cat'), 'cat');
    // DLRM: cat = dim * (tables + 1); dot = dim + (tables + 1) * tables / 2 pairs; with the
    // interaction itself, (tables + 1) * (tables + 2) / 2.
    assert.equal(interactionWidth(resolveModel('rmc2', opts)), 64 * 33);
    assert.equal(interactionWidth(resolveModel('rmc2-dot', opts)), 64 + (33 * 32) / 2);
    assert.equal(interactionWidth(resolveModel('rmc2-dot-self', opts)), 64 + (33 * 34) / 2);
  });

  it('refuse an interaction suffix on a model that is not a DLRM', () => {
    assert.throws(() => resolveModel('ncf-dot', opts), /model = "ncf-dot".*ncf is a ncf model/);
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

  it("resolve DeepRecInfra's zoo and RecPipe's models with their published shapes", () => {
    const full = { rowScale: 1, seed: 1 };
    const ncf = resolveModel('ncf', full);
    assert.deepEqual(
      ncf.tables.map((t) => t.rows),
      [140_000, 140_000, 28_000, 28_000],
    );
    assert.equal(ncf.denseFeatures, 0);
    const wnd = resolveModel('wnd', full);
    assert.equal(wnd.tables.length, 27);
    assert.equal(wnd.denseFeatures, 512);
    const mtwnd = resolveModel('mtwnd', full);
    assert.equal(mtwnd.tables.length, 43);
    assert.equal(mtwnd.tables.filter((t) => t.rows === 5_000_000).length, 2);
    assert.equal(mtwnd.tasks.length, 3);
    const din = resolveModel('din', full);
    assert.equal(din.tables.length, 1 + 250 + 2);
    assert.ok(din.tables.every((t) => t.pool === 3));
    const dien = resolveModel('dien', full);
    assert.equal(dien.tables.length, 43);
    assert.deepEqual(
      ['rm-small', 'rm-med', 'rm-large'].map((n) => resolveModel(n, full).dim),
      [4, 16, 32],
    );
    const large = resolveModel('rm-large', full);
    assert.equal(large.tables.length, 26);
    assert.equal(large.denseFeatures, 13);
    assert.equal(
      large.tables.reduce((s, t) => s + t.rows, 0),
      33_762_577,
    );
  });

  it('keep at least one row per table at any scale', () => {
    assert.equal(resolveModel('rmc2', { rowScale: 1e-9, seed: 1 }).tables[0]?.rows, 1);
  });
});
