import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '@recmesh/workload';
import {
  buildWorld,
  clickProbability,
  datasetTableRows,
  drawQueries,
  drawSamples,
  ZipfSampler,
} from '@recmesh/recpipe';

const small = { users: 300, items: 1200, seed: 5 };

describe('synthetic Criteo-shaped data', () => {
  it('has 26 tables of Criteo shape at the row scale', () => {
    const rows = datasetTableRows({ rowScale: 0.0002, minRows: 16 });
    assert.equal(rows.length, 26);
    assert.equal(rows[2], 2026); // 10,131,227 x 0.0002
    assert.equal(rows[8], 3); // a 3-row table stays 3 rows
    assert.equal(rows[0], 16); // 1460 x 0.0002 = 0.3, raised to minRows
  });

  it('draws ids with Zipf popularity', () => {
    const z = new ZipfSampler(1000, 1.2);
    const rng = new Rng(3);
    const counts = new Float64Array(1000);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const id = z.sample(rng);
      counts[id] = (counts[id] as number) + 1;
    }
    // id 0 is drawn at its probability (within 3%), and P(0) / P(9) = 10^1.2
    assert.ok(Math.abs((counts[0] as number) / n - z.probability(0)) / z.probability(0) < 0.03);
    const ratio = (counts[0] as number) / (counts[9] as number);
    assert.ok(Math.abs(Math.log10(ratio) - 1.2) < 0.1, `log10 P0/P9 = ${Math.log10(ratio)}`);
  });

  it('is deterministic on its seed', () => {
    const a = drawSamples(buildWorld(small), 500, 0);
    const b = drawSamples(buildWorld(small), 500, 0);
    assert.deepEqual(a.ids, b.ids);
    assert.deepEqual(a.labels, b.labels);
    const c = drawSamples(buildWorld({ ...small, seed: 6 }), 500, 0);
    assert.notDeepEqual(a.ids, c.ids);
  });

  it('labels follow the planted click probability, which the user-item affinity moves', () => {
    const world = buildWorld(small);
    const s = drawSamples(world, 20_000, 0);
    const clicks = s.labels.reduce((x, y) => x + y, 0) / s.count;
    const expected = s.truth.reduce((x, y) => x + y, 0) / s.count;
    assert.ok(Math.abs(clicks - expected) < 0.01, `${clicks} vs ${expected}`);
    // Among one user's candidates the probabilities spread: relevance is not a constant.
    const [q] = drawQueries(world, 1, 1000, 2);
    const p = Array.from(q?.probability ?? []);
    assert.ok(Math.max(...p) - Math.min(...p) > 0.5);
    // The same item ranks differently for different users (planted user-item structure).
    const users = [0, 1, 2, 3, 4, 5, 6, 7];
    const spread = users.map((u) => clickProbability(world, u, 0));
    assert.ok(Math.max(...spread) - Math.min(...spread) > 0.1);
  });

  it('draws distinct candidates per query and names a bad candidate count', () => {
    const world = buildWorld(small);
    const [q] = drawQueries(world, 1, 1000, 2);
    assert.equal(new Set(q?.items).size, 1000);
    assert.throws(() => drawQueries(world, 1, 5000, 2), /candidates = 5000/);
    assert.throws(() => buildWorld({ zipf: -1 }), /zipf = -1/);
  });
});
