import type { ServerUnaryCall } from '@grpc/grpc-js';
import { notFound, unavailable } from '@recmesh/errors';
import { topK, type Pipeline } from '@recmesh/model-repository';
import { describeArchitecture, type ModelSpec } from '@recmesh/models';
import {
  RankingServiceService,
  type ListModelsResponse,
  type CarbonReceipt,
  type ModelInfo,
  type PipelineInfo,
  type RankRequest,
  type RankResponse,
  type RankedItem,
} from '@recmesh/proto';
import { unary, type ServiceBinding } from '@recmesh/rpc';
import type { ServiceContext } from '@recmesh/runtime';
import type { ModelCatalog } from './catalog/model-catalog';
import type { FanOutDeps } from './rank/fan-out';
import { parseQuery, type Query } from './rank/parse-query';
import { runStage, servedByOf, type StageRun } from './rank/run-stage';
import { rankPipelineWith } from './pipeline-ranking';
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

/** The caller's deadline or our own default, whichever comes first (epoch ms). */
function deadlineOf(call: ServerUnaryCall<RankRequest, RankResponse>, defaultMs: number): number {
  const own = Date.now() + defaultMs;
  const theirs = call.getDeadline();
  const ms = theirs instanceof Date ? theirs.getTime() : Number(theirs);
  return Number.isFinite(ms) ? Math.min(ms, own) : own;
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
    const pipeline = catalog.pipeline(request.model);
    if (pipeline !== undefined) return rankPipeline(request, call, pipeline, arrived);
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
    const parsed = performance.now();
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort());
    let run: StageRun;
    try {
      run = await runStage(deps, options.schedulers, query, 'auto', {
        call,
        deadline,
        signal: controller.signal,
        abort: () => controller.abort(),
        since: arrived,
      });
    } finally {
      release();
    }
    const scored = performance.now();
    const { scores, ranking, stats } = run;
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
    const ownMs = parsed - arrived + (done - scored);
    const carbon = options.receipts.issue(ownMs / 1000, stats.subCalls, Date.now());
    recordUsage(spec.name, ownMs, query.count, carbon);
    const servedBy = servedByOf(stats);
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
          batchSize: run.batchSize,
          servedBy,
          latencyMs: scored - parsed,
          version: spec.version,
          backend: '',
          workerPool: run.pool,
          carbon,
          embeddingMs: perBatch(stats.embeddingMs),
          denseMs: perBatch(stats.denseMs),
          computeMs: perBatch(stats.computeMs),
        },
      ],
      tasks: spec.tasks.map((t) => t.name),
      version: spec.version,
      pipeline: '',
      pipelineVersion: 0,
    };
  };

  const recordUsage = (model: string, ownMs: number, items: number, carbon: CarbonReceipt) => {
    usage.record(
      { model, backend: 'cpu' },
      {
        busyS: ownMs / 1000,
        queries: 1,
        items,
        receiptOperationalG: carbon.operationalG,
        receiptEmbodiedG: carbon.embodiedG,
      },
    );
  };

  const rankPipeline = rankPipelineWith({
    deps,
    options,
    pinned,
    deadlineOf: (call) => deadlineOf(call, options.deadlineMs),
    recordUsage,
  });

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
  const pipelineInfo = (name: string): PipelineInfo => {
    const p = catalog.pipeline(name) as Pipeline;
    return {
      name,
      version: p.version,
      stages: p.stages.map((s) => ({ model: s.model, keep: s.keep, backend: s.backend })),
      ready: p.stages.every(
        (s) => catalog.has(s.model) && deps.router.problem(s.model) === undefined,
      ),
    };
  };
  const listModels = (): Promise<ListModelsResponse> =>
    Promise.resolve({
      models: catalog.names().map(info),
      pipelines: catalog.pipelineNames().map(pipelineInfo),
    });

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
