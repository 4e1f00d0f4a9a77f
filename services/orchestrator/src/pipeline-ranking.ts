import type { ServerUnaryCall } from '@grpc/grpc-js';
import { topK, type Pipeline } from '@recmesh/model-repository';
import type { ModelSpec } from '@recmesh/models';
import type {
  CarbonReceipt,
  RankedItem,
  RankRequest,
  RankResponse,
  StageReport,
} from '@recmesh/proto';
import type { FanOutDeps } from './rank/fan-out';
import { parseQuery, type Query } from './rank/parse-query';
import { runStage, servedByOf } from './rank/run-stage';
import type { SubCall } from './rank/score-query';
import { selectItems } from './rank/select-items';
import type { RankingOptions } from './ranking-service';

interface PipelineDeps {
  readonly deps: FanOutDeps;
  readonly options: RankingOptions;
  /** The spec of the version new queries of `model` run (NOT_FOUND / UNAVAILABLE otherwise). */
  readonly pinned: (model: string) => ModelSpec;
  readonly deadlineOf: (call: ServerUnaryCall<RankRequest, RankResponse>) => number;
  readonly recordUsage: (model: string, ownMs: number, items: number, c: CarbonReceipt) => void;
}

/**
 * Ranks a query through a multi-stage pipeline (RecPipe): stage 1 scores every candidate with
 * its model and keeps its best `keep`; each next stage scores only the items the previous one
 * kept, and the last stage's items (cut to the request's top_k when that is smaller) are the
 * answer. Each stage is scored like a query of its own model: pinned to the model's current
 * version, batched by that model's scheduler, through the same shards and workers. Equal scores
 * keep the lower candidate position. The reply reports every stage: items in and kept, batches,
 * where it ran, its latency and its carbon.
 */
export function rankPipelineWith(p: PipelineDeps) {
  const { deps, options } = p;
  return async (
    request: RankRequest,
    call: ServerUnaryCall<RankRequest, RankResponse>,
    pipeline: Pipeline,
    arrived: number,
  ): Promise<RankResponse> => {
    const specs = pipeline.stages.map((s) => p.pinned(s.model));
    const unpins = specs.map((s) => options.pins.pin(s.name, s.version));
    try {
      const first = specs[0] as ModelSpec;
      let query: Query = parseQuery(request, first, options.maxItems);
      const deadline = p.deadlineOf(call);
      const release = options.admission.admit(query.count, deadline - Date.now());
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      const stages: StageReport[] = [];
      const subCalls: SubCall[] = [];
      // origin[i]: the request position of item i of the current stage's query.
      let origin: Uint32Array = new Uint32Array(query.count);
      for (let i = 0; i < origin.length; i++) origin[i] = i;
      let ranking: Float32Array = new Float32Array(0);
      let kept: Uint32Array = new Uint32Array(0);
      let mark = performance.now();
      const parseMs = mark - arrived;
      let ownMs = parseMs;
      try {
        for (const [k, stage] of pipeline.stages.entries()) {
          const spec = specs[k] as ModelSpec;
          if (k > 0) query = selectItems(query, kept, spec);
          const prepared = performance.now();
          const run = await runStage(deps, options.schedulers, query, stage.backend, {
            call,
            deadline,
            signal: controller.signal,
            abort: () => controller.abort(),
            since: prepared,
          });
          const scored = performance.now();
          const last = k === pipeline.stages.length - 1;
          const keep = last && query.topK > 0 ? Math.min(stage.keep, query.topK) : stage.keep;
          kept = topK(run.ranking, keep);
          ranking = run.ranking;
          const stageOwnMs = prepared - mark + (performance.now() - scored);
          ownMs += stageOwnMs;
          subCalls.push(...run.stats.subCalls);
          const perBatch = (ms: number) => (run.stats.batches > 0 ? ms / run.stats.batches : 0);
          stages.push({
            model: spec.name,
            itemsIn: query.count,
            itemsKept: kept.length,
            batches: run.stats.batches,
            batchSize: run.batchSize,
            servedBy: servedByOf(run.stats),
            latencyMs: performance.now() - prepared,
            version: spec.version,
            backend: stage.backend,
            workerPool: run.pool,
            carbon: options.receipts.issue(stageOwnMs / 1000, run.stats.subCalls, Date.now()),
            embeddingMs: perBatch(run.stats.embeddingMs),
            denseMs: perBatch(run.stats.denseMs),
            computeMs: perBatch(run.stats.computeMs),
          });
          if (!last) {
            const before = origin;
            origin = Uint32Array.from(kept, (i) => before[i] as number);
          }
          mark = performance.now();
        }
      } finally {
        release();
      }
      const lastSpec = specs[specs.length - 1] as ModelSpec;
      const items: RankedItem[] = Array.from(kept, (i) => ({
        itemId: String(query.itemIds?.[i] ?? origin[i]),
        index: origin[i] as number,
        score: ranking[i] as number,
        taskScores: [],
      }));
      const done = performance.now();
      ownMs += done - mark;
      const carbon = options.receipts.issue(ownMs / 1000, subCalls, Date.now());
      p.recordUsage(pipeline.name, ownMs, stages[0]?.itemsIn ?? 0, carbon);
      const stageMs = (f: (s: StageReport) => number) => stages.reduce((a, s) => a + f(s), 0);
      return {
        items,
        model: lastSpec.name,
        servedBy: stages[stages.length - 1]?.servedBy,
        latency: {
          totalMs: done - arrived,
          parseMs,
          embeddingMs: stageMs((s) => s.embeddingMs),
          denseMs: stageMs((s) => s.denseMs),
          mergeMs: done - mark,
          queueMs: 0,
          computeMs: subCalls.reduce((a, s) => a + s.computeMs, 0),
        },
        carbon,
        stages,
        tasks: lastSpec.tasks.map((t) => t.name),
        version: lastSpec.version,
        pipeline: pipeline.name,
        pipelineVersion: pipeline.version,
      };
    } finally {
      for (const unpin of unpins) unpin();
    }
  };
}
