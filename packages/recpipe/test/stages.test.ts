import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topK } from '@recmesh/model-repository';
import { simulatePipeline } from '@recmesh/recpipe';

describe('stage semantics', () => {
  it('a stage keeps exactly its count, best first, ties to the lower position', () => {
    const scores = Float32Array.from([0.5, 0.9, 0.5, 0.1, 0.9, 0.5]);
    assert.deepEqual(Array.from(topK(scores, 4)), [1, 4, 0, 2]);
    assert.deepEqual(Array.from(topK(scores, 10)), [1, 4, 0, 2, 5, 3]);
    assert.deepEqual(Array.from(topK(Float32Array.from([NaN, 0, 1]), 3)), [2, 1, 0]);
  });

  it('each stage ranks only what the previous one kept', () => {
    // The filter keeps {0, 1, 2} (its best 3); the ranker prefers 5 but never sees it.
    const scores = {
      filter: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
      ranker: [0.1, 0.3, 0.2, 0.8, 0.8, 0.9],
    };
    const out = simulatePipeline(
      scores,
      [
        { model: 'filter', keep: 3 },
        { model: 'ranker', keep: 2 },
      ],
      6,
    );
    assert.deepEqual(Array.from(out), [1, 2]);
  });

  it('keeps every item when a stage keeps more than it is given, and ties stay deterministic', () => {
    const scores = { a: [1, 1, 1, 1], b: [2, 2, 2, 2] };
    const out = simulatePipeline(
      scores,
      [
        { model: 'a', keep: 3 },
        { model: 'b', keep: 8 },
      ],
      4,
    );
    assert.deepEqual(Array.from(out), [0, 1, 2]);
  });

  it('names a stage whose model has no scores', () => {
    assert.throws(() => simulatePipeline({}, [{ model: 'x', keep: 1 }], 2), /stage\.model = "x"/);
  });
});
