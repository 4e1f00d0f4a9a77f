import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  choosePipeline,
  composedP95,
  enumeratePipelines,
  evaluatePipelines,
  paretoFront,
  profileAt,
  type LatencyProfile,
  type PipelineCandidate,
} from '@recmesh/recpipe';

const space = {
  candidates: 8,
  finalK: 2,
  models: ['s', 'l'],
  backends: ['cpu' as const],
  keeps: [4, 6],
  maxStages: 3,
};

describe('the pipeline search', () => {
  it('enumerates 1 to maxStages stages with strictly narrowing keeps', () => {
    const all = enumeratePipelines(space);
    // 1 stage: 2; 2 stages: 2 keeps x 2 x 2 = 8; 3 stages: keeps (6, 4) x 2^3 = 8
    assert.equal(all.length, 18);
    for (const p of all) {
      assert.equal(p[p.length - 1]?.keep, 2);
      for (let i = 1; i < p.length; i++) assert.ok((p[i]?.keep ?? 0) < (p[i - 1]?.keep ?? 0));
    }
  });

  it('composes latency from profiles, linear between sizes, proportional beyond', () => {
    const p: LatencyProfile = {
      model: 's',
      backend: 'cpu',
      points: [
        { items: 2, p95Ms: 1, carbonG: 2 },
        { items: 6, p95Ms: 5, carbonG: 6 },
      ],
    };
    assert.deepEqual(profileAt(p, 4), { p95Ms: 3, carbonG: 4 });
    assert.deepEqual(profileAt(p, 12), { p95Ms: 10, carbonG: 12 });
    assert.deepEqual(profileAt(p, 1), { p95Ms: 1, carbonG: 1 });
  });

  it('scores every pipeline exactly and picks the fastest that meets both bounds', () => {
    // l knows the truth; s is right about the top 4 only.
    const relevance = [4, 3, 2, 1, 0, 0, 0, 0];
    const scores = { l: [8, 7, 6, 5, 4, 3, 2, 1], s: [5, 6, 7, 8, 1, 2, 3, 4] };
    const profile = (model: string, points: [number, number][]): LatencyProfile => ({
      model,
      backend: 'cpu',
      points: points.map(([items, ms]) => ({ items, p95Ms: ms, carbonG: ms })),
    });
    const profiles = [
      profile('s', [[8, 1]]),
      profile('l', [
        [2, 2],
        [8, 10],
      ]),
    ];
    const all = evaluatePipelines(
      space,
      profiles,
      [{ scores, relevance }],
      [{ model: 'l', keep: 2, backend: 'cpu' }],
    );
    const single = all.find((c) => c.stages.length === 1 && c.stages[0]?.model === 'l');
    assert.equal(single?.ndcg, 1);
    assert.equal(single?.p95Ms, 10);
    const filtered = all.find(
      (c) => c.stages.map((s) => `${s.model}:${s.keep}`).join() === 's:4,l:2',
    );
    assert.equal(filtered?.ndcg, 1); // s keeps {0..3}, l ranks them right
    // s below its smallest measured size keeps that size's p95; l on 4 items: 2 + (2/6) x 8
    const l4 = 2 + (2 / 6) * 8;
    assert.ok(Math.abs((filtered?.p95Ms ?? 0) - (1 + l4)) < 1e-9, String(filtered?.p95Ms));
    const chosen = choosePipeline(all, 100, 0.99);
    assert.equal(chosen, filtered);
    assert.equal(choosePipeline(all, 5, 0.99), undefined);
    assert.equal(choosePipeline(all, 100, 1.01), undefined);
    const front = paretoFront(all);
    assert.ok(front.includes(chosen as PipelineCandidate));
    assert.ok(!front.includes(single as PipelineCandidate), 'single-stage l is dominated');
  });

  it('composes stage latencies as the p95 of their sum, not the sum of their p95s', () => {
    // Two stages uniform on [0, 10] ms: P(X + Y > t) = (20 - t)^2 / 200 = 0.05 at t = 16.84.
    const uniform = (u: number) => 10 * u;
    const p95 = composedP95([uniform, uniform]);
    assert.ok(Math.abs(p95 - (20 - Math.sqrt(10))) < 0.1, `p95 ${p95}`);
    assert.ok(Math.abs(composedP95([uniform]) - 9.5) < 0.01);
  });
});
