import type { ServerUnaryCall } from '@grpc/grpc-js';
import { isRecmeshError, notFound, RecmeshError, unavailable } from '@recmesh/errors';
import { describeArchitecture, type ModelSpec } from '@recmesh/models';
import {
  RankingServiceService,
  type ListModelsResponse,
  type ModelInfo,
  type RankRequest,
  type RankResponse,
  type RankedItem,
  type ServedBy,
} from '@recmesh/proto';
import { unary, type ServiceBinding } from '@recmesh/rpc';
import type { ServiceContext } from '@recmesh/runtime';
import type { ModelCatalog } from './catalog/model-catalog';
import type { FanOutDeps } from './rank/fan-out';
import { parseQuery, type Query } from './rank/parse-query';
import { scoreQuery, type QueryStats } from './rank/score-query';
import { topK } from './rank/top-k';
import type { Receipts } from './carbon/receipts';
import type { VersionPins } from './routing/version-pins';
import type { Admission } from './scheduler/admission';
import type { Schedulers } from './scheduler/schedulers';

export interface RankingOptions {
  readonly catalog: ModelCatalog;
  readonly pins: VersionPins;
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
 * The ranking score of each item: its score, or for multi-task models the weighted mean of its
 * tasks' scores (weights from the request, else the model's).
 */
function rankingScores(scores: Float32Array, query: Query): Float32Array {
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

/**
 * RankingService: pin the query to the model's current version; validate against that version;
 * admit or shed; let the model's scheduler decide the batch size (or send the query whole to the
 * accelerator pool); score in batches through shards and workers of that version; take the top
 * k; attach the latency breakdown and the carbon receipt.
 */
export function rankingService(
  context: ServiceContext,
  deps: FanOutDeps,
  options: RankingOptions,
): ServiceBinding {
  const { logger, usage } = context;
  const { catalog } = options;

  const pinned = (name: string): ModelSpec => {
    if (!catalog.has(name))
      throw notFound('model', name, `unknown model; served: ${catalog.names().join(', ')}`);
    const version = deps.router.current(name);
    const spec = version === undefined ? undefined : catalog.find(name, version);
    if (spec === undefined)
      throw unavailable(deps.router.problem(name) ?? `no version of ${name} can be served`);
    return spec;
  };

  const rank = async (
    request: RankRequest,
    call: ServerUnaryCall<RankRequest, RankResponse>,
  ): Promise<RankResponse> => {
    const arrived = performance.now();
    const spec = pinned(request.model);
    const unpin = options.pins.pin(spec.name, spec.version);
    try {
      return await rankPinned(request, call, spec, arrived);
    } finally {
      unpin();
    }
  };

  const rankPinned = async (
    request: RankRequest,
    call: ServerUnaryCall<RankRequest, RankResponse>,
    spec: ModelSpec,
    arrived: number,
  ): Promise<RankResponse> => {
    const query: Query = parseQuery(request, spec, options.maxItems);
    const deadline = deadlineOf(call, options.deadlineMs);
    const release = options.admission.admit(query.count, deadline - Date.now());
    const scheduler = options.schedulers.ensure(spec);
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

    const ranking = rankingScores(scores, query);
    const tasks = spec.tasks.length;
    const best = topK(ranking, query.topK);
    const items: RankedItem[] = Array.from(best, (index) => ({
      itemId: String(query.itemIds?.[index] ?? index),
      index,
      score: ranking[index] as number,
      taskScores:
        tasks === 1 ? [] : Array.from(scores.subarray(index * tasks, (index + 1) * tasks)),
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
          version: spec.version,
        },
      ],
      tasks: spec.tasks.map((t) => t.name),
      version: spec.version,
    };
  };

  const info = (name: string): ModelInfo => {
    const current = deps.router.current(name);
    const m =
      (current === undefined ? undefined : catalog.find(name, current)) ?? catalog.latest(name);
    const a = m.architecture;
    return {
      name: m.name,
      denseFeatures: m.denseFeatures,
      tables: m.tables.length,
      dim: m.dim,
      interaction: a.kind === 'dlrm' ? a.interaction : '',
      tableRows: m.tables.map((t) => String(t.rows)),
      ready: deps.router.problem(m.name) === undefined,
      maxItems: options.maxItems,
      tablePool: m.tables.map((t) => t.pool),
      p95TargetsMs: [m.targets.low, m.targets.medium, m.targets.high],
      architecture: describeArchitecture(a),
      tasks: m.tasks.map((t) => t.name),
      taskWeights: m.tasks.map((t) => t.weight),
      version: current ?? 0,
      versions: deps.router.versions(name),
    };
  };
  const listModels = (): Promise<ListModelsResponse> =>
    Promise.resolve({ models: catalog.names().map(info) });

  logger.debug({ models: catalog.names() }, 'ranking service ready');
  return {
    name: 'recmesh.v1.RankingService',
    definition: RankingServiceService,
    implementation: {
      rank: unary('RankingService/Rank', logger, rank),
      listModels: unary('RankingService/ListModels', logger, listModels),
    },
  };
}
