import type { ServerUnaryCall } from '@grpc/grpc-js';
import { notFound, RecmeshError, unavailable } from '@recmesh/errors';
import type { ModelSpec } from '@recmesh/models';
import {
  RankingServiceService,
  type ListModelsResponse,
  type RankRequest,
  type RankResponse,
  type RankedItem,
} from '@recmesh/proto';
import { unary, type ServiceBinding } from '@recmesh/rpc';
import type { ServiceContext } from '@recmesh/runtime';
import { parseQuery } from './rank/parse-query';
import { scoreQuery, type QueryStats } from './rank/score-query';
import { topK } from './rank/top-k';
import type { FanOutDeps } from './rank/fan-out';
import type { Receipts } from './carbon/receipts';

export interface RankingOptions {
  readonly models: readonly ModelSpec[];
  readonly batchSize: number;
  readonly maxItems: number;
  readonly deadlineMs: number;
  readonly receipts: Receipts;
}

/** RankingService: validate, score in batches through shards and workers, take the top k. */
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
    const query = parseQuery(request, spec, options.maxItems);
    const problem = deps.router.problem(spec.name);
    if (problem !== undefined) throw unavailable(problem);
    const parsed = performance.now();

    const controller = new AbortController();
    const ownDeadline = Date.now() + options.deadlineMs;
    const callDeadline = call.getDeadline();
    const deadline =
      callDeadline instanceof Date
        ? Math.min(callDeadline.getTime(), ownDeadline)
        : Math.min(Number(callDeadline), ownDeadline);
    const stats: QueryStats = {
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
    call.on('cancelled', () => controller.abort());
    let scores: Float32Array;
    try {
      scores = await scoreQuery(
        deps,
        query,
        options.batchSize,
        { deadline, parent: call, signal: controller.signal },
        stats,
      );
    } catch (err) {
      controller.abort();
      if (
        Date.now() >= deadline &&
        !(err instanceof RecmeshError && err.kind === 'invalid_argument')
      ) {
        throw new RecmeshError(
          'deadline_exceeded',
          `deadline passed while ranking ${query.count} items of ${spec.name}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      throw err;
    }
    const scored = performance.now();

    const best = topK(scores, query.topK);
    const items: RankedItem[] = Array.from(best, (index) => ({
      itemId: String(query.itemIds?.[index] ?? index),
      index,
      score: scores[index] as number,
    }));
    const done = performance.now();
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

    const servedBy = {
      embeddingBackend: [...stats.embeddingBackends].join(','),
      denseBackend: [...stats.denseBackends].join(','),
      shards: [...stats.shards],
      workers: [...stats.workers],
    };
    const totalMs = done - arrived;
    return {
      items,
      model: spec.name,
      servedBy,
      latency: {
        totalMs,
        parseMs: parsed - arrived,
        embeddingMs: stats.batches > 0 ? stats.embeddingMs / stats.batches : 0,
        denseMs: stats.batches > 0 ? stats.denseMs / stats.batches : 0,
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
          batchSize: options.batchSize,
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
