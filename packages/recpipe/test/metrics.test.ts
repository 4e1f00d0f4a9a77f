import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  auc,
  dcgAtK,
  logLoss,
  ndcgAtK,
  plantedRelevance,
  ratioInterval,
  recallAtK,
} from '@recmesh/recpipe';

// Hand-computed: relevance grades [3, 2, 0, 1], gains 2^r - 1 = [7, 3, 0, 1].
const relevance = [3, 2, 0, 1];

describe('NDCG@k', () => {
  it('matches a hand-computed case', () => {
    // ranking [1, 0, 3, 2]: DCG@2 = 3/log2(2) + 7/log2(3) = 7.41651; ideal [0, 1]: 7 + 3/log2(3) = 8.89279.
    assert.ok(Math.abs(dcgAtK([1, 0, 3, 2], relevance, 2) - 7.4165082750002) < 1e-9);
    assert.ok(Math.abs(ndcgAtK([1, 0, 3, 2], relevance, 2) - 0.8339912323981488) < 1e-9);
    // k = 4 adds 1/log2(4) to both: (7.41651 + 0.5) / (8.89279 + 0.5) = 0.842828.
    assert.ok(Math.abs(ndcgAtK([1, 0, 3, 2], relevance, 4) - 0.8428282648809379) < 1e-9);
  });
  it('is 1 for the ideal ranking and counts a short ranking as zeros beyond its end', () => {
    assert.equal(ndcgAtK([0, 1, 3, 2], relevance, 3), 1);
    // only item 0 returned, k = 2: 7 / 8.89279
    assert.ok(Math.abs(ndcgAtK([0], relevance, 2) - 7 / (7 + 3 / Math.log2(3))) < 1e-12);
  });
  it('takes the ideal over all candidates, not over the ranked ones', () => {
    // ranking only the two worst items: DCG = 1 + 0, ideal = 8.89279
    assert.ok(Math.abs(ndcgAtK([3, 2], relevance, 2) - 1 / (7 + 3 / Math.log2(3))) < 1e-12);
  });
  it('refuses a k that is not a positive integer, naming it', () => {
    assert.throws(() => ndcgAtK([0], relevance, 0), /k = 0/);
  });
});

describe('recall@k', () => {
  it('is the share of the true top k that the first k returned contain', () => {
    assert.equal(recallAtK([1, 0, 3, 2], relevance, 2), 1); // true top 2: {0, 1}
    assert.equal(recallAtK([1, 3, 0, 2], relevance, 2), 0.5);
    assert.equal(recallAtK([2, 3, 0, 1], relevance, 2), 0);
  });
  it('breaks ties in relevance towards the lower position', () => {
    // true top 1 of [1, 1, 0] is position 0
    assert.equal(recallAtK([0], [1, 1, 0], 1), 1);
    assert.equal(recallAtK([1], [1, 1, 0], 1), 0);
  });
});

describe('log loss and AUC', () => {
  it('match hand-computed values', () => {
    // -(ln 0.8 + ln(1 - 0.4)) / 2
    assert.ok(Math.abs(logLoss([0.8, 0.4], [1, 0]) - -(Math.log(0.8) + Math.log(0.6)) / 2) < 1e-12);
    // positives 0.9, 0.4; negatives 0.5, 0.1: pairs won 3 of 4
    assert.equal(auc([0.9, 0.5, 0.4, 0.1], [1, 0, 1, 0]), 0.75);
    // a tie between a positive and a negative counts half
    assert.equal(auc([0.5, 0.5], [1, 0]), 0.5);
  });
  it('grades planted probabilities as 4p', () => {
    assert.deepEqual(Array.from(plantedRelevance([0, 0.25, 1])), [0, 1, 4]);
  });
});

describe('the interval of a ratio of paired means', () => {
  it('collapses where every pair has the same ratio', () => {
    const b = [0.2, 0.5, 0.7, 0.9];
    assert.deepEqual(ratioInterval(b, b), [1, 1]);
    const [lo, hi] = ratioInterval(
      b.map((x) => 2 * x),
      b,
    );
    assert.ok(Math.abs(lo - 2) < 1e-12 && Math.abs(hi - 2) < 1e-12);
  });

  it('holds the point estimate, narrows with more queries, and repeats on a seed', () => {
    // Pipeline NDCG = baseline NDCG x (0.98 +- 0.1), per query.
    const draw = (n: number) => {
      const b = Array.from({ length: n }, (_, i) => 0.4 + 0.5 * (((i * 7919) % 101) / 101));
      const a = b.map((x, i) => x * (0.98 + 0.1 * Math.sin(i * 12.9898)));
      return [a, b] as const;
    };
    const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const [a32, b32] = draw(32);
    const [a512, b512] = draw(512);
    const i32 = ratioInterval(a32, b32);
    const i512 = ratioInterval(a512, b512);
    const point = mean(a32) / mean(b32);
    assert.ok(i32[0] < point && point < i32[1], `${point} in ${i32}`);
    assert.ok(i512[1] - i512[0] < (i32[1] - i32[0]) / 2, `${i512} narrower than ${i32}`);
    assert.deepEqual(ratioInterval(a32, b32), i32);
  });

  it('refuses unpaired samples, naming them', () => {
    assert.throws(() => ratioInterval([1, 2], [1]), /b\.length = 1: must equal a\.length \(2\)/);
  });
});
