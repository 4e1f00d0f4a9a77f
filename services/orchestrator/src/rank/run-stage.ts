import type { ServerUnaryCall } from '@grpc/grpc-js';
import { isRecmeshError, RecmeshError } from '@recmesh/errors';
import type { StageBackend } from '@recmesh/model-repository';
import type { RankRequest, RankResponse, ServedBy } from '@recmesh/proto';
import type { Schedulers } from '../scheduler/schedulers';
import type { FanOutDeps } from './fan-out';
import type { Query } from './parse-query';
import { scoreQuery, type QueryStats } from './score-query';

export function newStats(): QueryStats {
  return {
    batches: 0,
    embeddingMs: 0,
    denseMs: 0,
    computeMs: 0,
    subCalls: [],
    shards: new Set(),
    workers: new Set(),
    embeddingBackends: new Set(),
    denseBackends: new Set(),
  };
}

/**
 * The ranking score of each item: its score, or for multi-task models the weighted mean of its
 * tasks' scores (weights from the request, else the model's).
 */
export function rankingScores(scores: Float32Array, query: Query): Float32Array {
  const tasks = query.spec.tasks.length;
  if (tasks === 1) return scores;
  const w = query.taskWeights;
  const total = w.reduce((a, b) => a + b, 0);
  const out = new Float32Array(query.count);
  for (let i = 0; i < query.count; i++) {
    let s = 0;
    for (let k = 0; k < tasks; k++) s += (w[k] as number) * (scores[i * tasks + k] as number);
    out[i] = s / total;
  }
  return out;
}

export function servedByOf(stats: QueryStats): ServedBy {
  return {
    embeddingBackend: [...stats.embeddingBackends].join(','),
    denseBackend: [...stats.denseBackends].join(','),
    shards: [...stats.shards],
    workers: [...stats.workers],
  };
}

/** What scoring one stage (or a single-model query) did. */
export interface StageRun {
  /** float32 [count][tasks]. */
  readonly scores: Float32Array;
  /** The ranking score of each item. */
  readonly ranking: Float32Array;
  readonly stats: QueryStats;
  readonly batchSize: number;
  readonly pool: 'cpu' | 'accel';
  /** Wall time of the scoring, ms. */
  readonly ms: number;
}

export interface StageCall {
  readonly call: ServerUnaryCall<RankRequest, RankResponse>;
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly abort: () => void;
  /** When the scheduler's latency of this query starts (the query's arrival for one model). */
  readonly since: number;
}

/**
 * Scores every item of `query` as the model's scheduler decides (batch size; whole to the
 * accelerator pool at or above its offload threshold), or on the pool `backend` names; the
 * scheduler observes the latency since `since`. A failure after the deadline is DEADLINE_EXCEEDED.
 */
export async function runStage(
  deps: FanOutDeps,
  schedulers: Schedulers,
  query: Query,
  backend: StageBackend,
  c: StageCall,
): Promise<StageRun> {
  const scheduler = schedulers.ensure(query.spec);
  const decision = scheduler.decide(query.count);
  const offload = backend === 'accel' || (backend === 'auto' && decision.offload);
  const batchSize = offload ? query.count : decision.batchSize;
  const pool = offload ? 'accel' : 'cpu';
  const stats = newStats();
  const started = performance.now();
  let scores: Float32Array;
  try {
    scores = await scoreQuery(
      deps,
      query,
      batchSize,
      { deadline: c.deadline, parent: c.call, signal: c.signal },
      stats,
      pool,
    );
  } catch (err) {
    c.abort();
    scheduler.observe(decision, performance.now() - c.since, query.count);
    if (Date.now() >= c.deadline && !(isRecmeshError(err) && err.kind === 'invalid_argument')) {
      throw new RecmeshError(
        'deadline_exceeded',
        `deadline passed while ranking ${query.count} items of ${query.spec.name}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    throw err;
  }
  const ms = performance.now() - started;
  const ranking = rankingScores(scores, query);
  scheduler.observe(decision, performance.now() - c.since, query.count);
  return { scores, ranking, stats, batchSize, pool, ms };
}
