import type { ServerUnaryCall } from '@grpc/grpc-js';
import { isRecmeshError, notFound, RecmeshError, unavailable } from '@recmesh/errors';
import type { ModelSpec } from '@recmesh/models';
import {
  RankingServiceService,
  type ListModelsResponse,
  type RankRequest,
  type RankResponse,
  type RankedItem,
  type ServedBy,
} from '@recmesh/proto';
import { unary, type ServiceBinding } from '@recmesh/rpc';
import type { ServiceContext } from '@recmesh/runtime';
import type { FanOutDeps } from './rank/fan-out';
import { parseQuery, type Query } from './rank/parse-query';
import { scoreQuery, type QueryStats } from './rank/score-query';
import { topK } from './rank/top-k';
import type { Receipts } from './carbon/receipts';
import type { Admission } from './scheduler/admission';
import type { Schedulers } from './scheduler/schedulers';

export interface RankingOptions {
  readonly models: readonly ModelSpec[];
  readonly maxItems: number;
  readonly deadlineMs: number;
  readonly receipts: Receipts;
  readonly schedulers: Schedulers;
  readonly admission: Admission;
}

function newStats(): QueryStats {
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

/** The caller's deadline or our own default, whichever comes first (epoch ms). */
function deadlineOf(call: ServerUnaryCall<RankRequest, RankResponse>, defaultMs: number): number {
  const own = Date.now() + defaultMs;
  const theirs = call.getDeadline();
  const ms = theirs instanceof Date ? theirs.getTime() : Number(theirs);
  return Number.isFinite(ms) ? Math.min(ms, own) : own;
}

/**
 * RankingService: validate; admit or shed; let the model's scheduler decide the batch size (or
 * send the query whole to the accelerator pool); score in batches through shards and workers;
 * take the top k; attach the latency breakdown and the carbon receipt.
 */
export function rankingService(
  context: ServiceContext,
  deps: FanOutDeps,
  options: RankingOptions,
): ServiceBinding {
  const { logger, usage } = context;
  const specs = new Map(options.models.map((m) => [m.name, m]));

  const rank = async (
    request: RankRequest,
    call: ServerUnaryCall<RankRequest, RankResponse>,
  ): Promise<RankResponse> => {
    const arrived = performance.now();
    const spec = specs.get(request.model);
    if (spec === undefined)
      throw notFound(
        'model',
        request.model,
        `unknown model; served: ${[...specs.keys()].join(', ')}`,
      );
    const query: Query = parseQuery(request, spec, options.maxItems);
    const problem = deps.router.problem(spec.name);
    if (problem !== undefined) throw unavailable(problem);
    const deadline = deadlineOf(call, options.deadlineMs);
    const release = options.admission.admit(query.count, deadline - Date.now());
    const scheduler = options.schedulers.get(spec.name);
    const decision = scheduler.decide(query.count);
    const batchSize = decision.offload ? query.count : decision.batchSize;
    const parsed = performance.now();

    const controller = new AbortController();
    call.on('cancelled', () => controller.abort());
    const stats = newStats();
    let scores: Float32Array;
    try {
      scores = await scoreQuery(
        deps,
        query,
        batchSize,
        { deadline, parent: call, signal: controller.signal },
        stats,
        decision.offload ? 'accel' : 'cpu',
      );
    } catch (err) {
      controller.abort();
      scheduler.observe(decision, performance.now() - arrived, query.count);
      if (Date.now() >= deadline && !(isRecmeshError(err) && err.kind === 'invalid_argument')) {
        throw new RecmeshError(
          'deadline_exceeded',
          `deadline passed while ranking ${query.count} items of ${spec.name}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      release();
    }
    const scored = performance.now();

    const best = topK(scores, query.topK);
    const items: RankedItem[] = Array.from(best, (index) => ({
      itemId: String(query.itemIds?.[index] ?? index),
      index,
      score: scores[index] as number,
    }));
    const done = performance.now();
    scheduler.observe(decision, done - arrived, query.count);
    const ownMs = parsed - arrived + (done - scored);
    const carbon = options.receipts.issue(ownMs / 1000, stats.subCalls, Date.now());
    usage.record(
      { model: spec.name, backend: 'cpu' },
      {
        busyS: ownMs / 1000,
        queries: 1,
        items: query.count,
        receiptOperationalG: carbon.operationalG,
        receiptEmbodiedG: carbon.embodiedG,
      },
    );

    const servedBy: ServedBy = {
      embeddingBackend: [...stats.embeddingBackends].join(','),
      denseBackend: [...stats.denseBackends].join(','),
      shards: [...stats.shards],
      workers: [...stats.workers],
    };
    const perBatch = (ms: number) => (stats.batches > 0 ? ms / stats.batches : 0);
    return {
      items,
      model: spec.name,
      servedBy,
      latency: {
        totalMs: done - arrived,
        parseMs: parsed - arrived,
        embeddingMs: perBatch(stats.embeddingMs),
        denseMs: perBatch(stats.denseMs),
        mergeMs: done - scored,
        queueMs: 0,
        computeMs: stats.computeMs,
      },
      carbon,
      stages: [
        {
          model: spec.name,
          itemsIn: query.count,
          itemsKept: items.length,
          batches: stats.batches,
          batchSize,
          servedBy,
          latencyMs: scored - parsed,
        },
      ],
    };
  };

  const listModels = (): Promise<ListModelsResponse> =>
    Promise.resolve({
      models: options.models.map((m) => ({
        name: m.name,
        denseFeatures: m.denseFeatures,
        tables: m.tables.length,
        dim: m.dim,
        interaction: m.interaction,
        tableRows: m.tables.map((t) => String(t.rows)),
        ready: deps.router.problem(m.name) === undefined,
        maxItems: options.maxItems,
        tablePool: m.tables.map((t) => t.pool),
        p95TargetsMs: [m.targets.low, m.targets.medium, m.targets.high],
      })),
    });

  logger.debug({ models: [...specs.keys()] }, 'ranking service ready');
  return {
    name: 'recmesh.v1.RankingService',
    definition: RankingServiceService,
    implementation: {
      rank: unary('RankingService/Rank', logger, rank),
      listModels: unary('RankingService/ListModels', logger, listModels),
    },
  };
}
