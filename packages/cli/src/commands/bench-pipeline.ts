import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { toRankRequest } from '@recmesh/client';
import { invalidArgument } from '@recmesh/errors';
import { preEncoded, type RankRequest, type RankResponse } from '@recmesh/proto';
import { drawQueries, ndcgAtK, plantedRelevance, ratioInterval, recallAtK } from '@recmesh/recpipe';
import { findMaxLoad, fixedSizes, runOpenLoop, summarize } from '@recmesh/workload';
import { num } from '../mesh-options';
import { info, printJson, r3, r6 } from '../output';
import {
  addRecpipeFlags,
  startRecpipeMesh,
  type RecpipeFlags,
  type RecpipeMesh,
} from '../recpipe-mesh';

interface BenchPipelineFlags extends RecpipeFlags {
  pipeline: string;
  baseline: string;
  candidates: number;
  queries: number;
  latencyQueries: number;
  targetP95Ms: number;
  seconds: number;
  loadFractions: readonly number[];
  out: string;
  json?: boolean;
}

/** NDCG@k and recall@k are taken at the k RecPipe uses. */
const K = 64;

interface Measured {
  pipeline: string;
  ndcg_at_64: number;
  /** NDCG@64 of each quality query, in order (for the paired interval of the ratio). */
  ndcg_per_query: number[];
  recall_at_64: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  qps_at_target: number;
  carbon_g_per_query: number;
  stages: {
    model: string;
    backend: string;
    worker_pool: string;
    items_in: number;
    items_kept: number;
    batches: number;
    mean_latency_ms: number;
    /** Per batch: the stage's Lookups (the shards' round trips) and its Predict (the worker's). */
    mean_embedding_ms: number;
    mean_dense_ms: number;
    /** Per batch: the compute the shards and workers reported (graphs, gathers); the rest is calls. */
    mean_compute_ms: number;
    carbon_g: number;
  }[];
}

/** Both pipelines under the same Poisson arrival rate: a fraction of the baseline's capacity. */
interface AtLoad {
  /** Of the baseline's qps_at_target. */
  fraction: number;
  qps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  baseline_p50_ms: number;
  baseline_p95_ms: number;
  baseline_p99_ms: number;
  /** Baseline's p95 over the pipeline's at this rate. */
  p95_ratio: number;
  /** 95% intervals of the two p95s (order statistics of the measured queries). */
  p95_ci95: readonly number[];
  baseline_p95_ci95: readonly number[];
  /** Queries measured at this rate, of the pipeline and of the baseline. */
  queries: number;
  baseline_queries: number;
  /** Failed queries of either pipeline (deadline, unavailable); 0 on a healthy run. */
  errors: number;
}

/** A measurement as reported: without its per-query NDCG list. */
function omitPerQuery(m: Measured): Omit<Measured, 'ndcg_per_query'> {
  const { ndcg_per_query: _, ...rest } = m;
  return rest;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * `name`'s queries arriving as a Poisson process at `rate`, measured for seconds / 6 (at least
 * 3 s) and at least `queries` queries, within `capS` seconds in all.
 */
function openLoop(
  name: string,
  rate: number,
  opts: BenchPipelineFlags,
  send: (name: string, i: number) => Promise<unknown>,
  queries = 20,
  capS = 40,
) {
  const measureS = Math.max(3, opts.seconds / 6);
  return runOpenLoop({
    rate,
    durationS: Math.min(capS, 1 + Math.max(measureS, queries / rate) + 2),
    measureS,
    minMeasured: queries,
    warmupS: 1,
    sizes: fixedSizes(opts.candidates),
    seed: opts.seed,
    send: async (_size, index) => {
      await send(name, index);
    },
    drainMs: Math.max(5000, 10 * opts.targetP95Ms),
  });
}

/**
 * The pipeline and the baseline at the same Poisson rates, each a fraction of the baseline's
 * qps_at_target (serving is judged under load): at each rate the pipeline first, then the
 * baseline, each over --latency-queries queries (at most two minutes a rate).
 */
async function atLoad(
  names: readonly [string, string],
  baselineQps: number,
  opts: BenchPipelineFlags,
  send: (name: string, i: number) => Promise<unknown>,
): Promise<AtLoad[]> {
  const out: AtLoad[] = [];
  for (const fraction of opts.loadFractions) {
    const qps = fraction * baselineQps;
    const run = (name: string) => openLoop(name, qps, opts, send, opts.latencyQueries, 120);
    const main = await run(names[0]);
    const base = await run(names[1]);
    const row: AtLoad = {
      fraction,
      qps: r3(qps),
      p50_ms: r3(main.latencyMs.p50),
      p95_ms: r3(main.latencyMs.p95),
      p99_ms: r3(main.latencyMs.p99),
      baseline_p50_ms: r3(base.latencyMs.p50),
      baseline_p95_ms: r3(base.latencyMs.p95),
      baseline_p99_ms: r3(base.latencyMs.p99),
      p95_ratio: r3(base.latencyMs.p95 / main.latencyMs.p95),
      p95_ci95: main.p95Ci.map(r3),
      baseline_p95_ci95: base.p95Ci.map(r3),
      queries: main.completed,
      baseline_queries: base.completed,
      errors: main.errors + base.errors,
    };
    info(
      `  at ${row.qps} qps (${fraction} of ${names[1]}'s ${r3(baselineQps)}): p95 ${row.p95_ms} ms against ${row.baseline_p95_ms} ms, ${row.p95_ratio}x`,
    );
    out.push(row);
  }
  return out;
}

/**
 * The highest Poisson arrival rate whose p95 meets the target (findMaxLoad: bracket, then
 * bisect), starting at the rate one query at a time sustains. Probes measure seconds / 6 and at
 * least 20 queries; a target missed at a quarter of that rate is out of reach.
 */
async function maxLoad(
  name: string,
  serialMeanMs: number,
  opts: BenchPipelineFlags,
  send: (name: string, i: number) => Promise<unknown>,
): Promise<number> {
  const start = Math.max(0.5, 1000 / serialMeanMs);
  const result = await findMaxLoad({
    targetP95Ms: opts.targetP95Ms,
    startRate: start,
    floorRate: start / 4,
    maxProbes: 6,
    probe: async (rate) => {
      const r = await openLoop(name, rate, opts, send);
      return {
        rate,
        completed: r.completed,
        errors: r.errors,
        p95Ms: r.latencyMs.p95,
        p99Ms: r.latencyMs.p99,
        p95Ci: r.p95Ci,
        achievedQps: r.achievedQps,
      };
    },
    onProbe: (p, passed) =>
      info(
        `  ${name}: ${p.rate.toFixed(1)} qps -> p95 ${p.p95Ms.toFixed(1)} ms: ${passed ? 'meets' : 'misses'} ${opts.targetP95Ms} ms`,
      ),
  });
  return result.qpsAtTarget;
}

function stagesOf(replies: readonly RankResponse[]): Measured['stages'] {
  const first = replies[0];
  if (first === undefined) return [];
  return first.stages.map((s, k) => ({
    model: s.model,
    backend: s.backend,
    worker_pool: s.workerPool,
    items_in: s.itemsIn,
    items_kept: s.itemsKept,
    batches: s.batches,
    mean_latency_ms: r3(mean(replies.map((r) => r.stages[k]?.latencyMs ?? NaN))),
    mean_embedding_ms: r3(mean(replies.map((r) => r.stages[k]?.embeddingMs ?? NaN))),
    mean_dense_ms: r3(mean(replies.map((r) => r.stages[k]?.denseMs ?? NaN))),
    mean_compute_ms: r3(mean(replies.map((r) => r.stages[k]?.computeMs ?? NaN))),
    carbon_g: mean(replies.map((r) => r.stages[k]?.carbon?.totalG ?? NaN)),
  }));
}

/**
 * Quality over `queries` (NDCG@64 and recall@64 against the planted relevance), then latency of
 * one query at a time (queries of the pipelines interleaved so both see the same machine), then
 * the highest Poisson rate whose p95 meets the target, per pipeline; then both at the same rates,
 * fractions of the baseline's (atLoad).
 */
async function measure(mesh: RecpipeMesh, names: readonly string[], opts: BenchPipelineFlags) {
  const quality = drawQueries(mesh.world, opts.queries, opts.candidates, 2);
  const ndcg = new Map(names.map((n) => [n, [] as number[]]));
  const recall = new Map(names.map((n) => [n, [] as number[]]));
  const replies = new Map(names.map((n) => [n, [] as RankResponse[]]));
  for (const q of quality) {
    const relevance = plantedRelevance(q.probability);
    for (const name of names) {
      const reply = await mesh.rank(name, q, K);
      const ranked = reply.items.map((i) => i.index);
      ndcg.get(name)?.push(ndcgAtK(ranked, relevance, K));
      recall.get(name)?.push(recallAtK(ranked, relevance, K));
    }
  }
  info(
    `bench pipeline: quality over ${opts.queries} queries of ${opts.candidates} candidates done`,
  );
  // Requests built and encoded once: the load generator must not spend its time packing 4096
  // items, nor collect the garbage of encoding them again (its collections would be counted in
  // the latencies it measures).
  const pool = drawQueries(mesh.world, 16, opts.candidates, 3);
  const requests = new Map<string, RankRequest[]>(
    names.map((n) => [
      n,
      pool.map((q) => preEncoded('RankRequest', toRankRequest(mesh.plainQuery(n, q, K)))),
    ]),
  );
  const send = async (name: string, i: number) =>
    mesh.client.rank((requests.get(name) as RankRequest[])[i % pool.length] as RankRequest, {
      timeoutMs: 30_000,
    });
  for (const name of names) for (let i = 0; i < 5; i++) await send(name, i);
  const latency = new Map(names.map((n) => [n, [] as number[]]));
  for (let i = 0; i < opts.latencyQueries; i++)
    for (const name of names) {
      const started = performance.now();
      const reply = await send(name, i);
      latency.get(name)?.push(performance.now() - started);
      replies.get(name)?.push(reply);
    }
  info(`bench pipeline: ${opts.latencyQueries} queries one at a time per pipeline done`);
  const out: Measured[] = [];
  for (const name of names) {
    const serial = summarize(latency.get(name) ?? []);
    const qps = serial.p95 > opts.targetP95Ms ? 0 : await maxLoad(name, serial.mean, opts, send);
    const mine = replies.get(name) ?? [];
    out.push({
      pipeline: name,
      ndcg_at_64: mean(ndcg.get(name) ?? []),
      ndcg_per_query: ndcg.get(name) ?? [],
      recall_at_64: mean(recall.get(name) ?? []),
      p50_ms: r3(serial.p50),
      p95_ms: r3(serial.p95),
      p99_ms: r3(serial.p99),
      qps_at_target: r3(qps),
      carbon_g_per_query: mean(mine.map((r) => r.carbon?.totalG ?? NaN)),
      stages: stagesOf(mine),
    });
  }
  const baselineQps = out[1]?.qps_at_target ?? 0;
  const loads =
    names.length === 2 && baselineQps > 0
      ? await atLoad(names as [string, string], baselineQps, opts, send)
      : [];
  return { measured: out, loads };
}

/** `0.25,0.5` as fractions in (0, 1]; an empty string: none. */
function parseLoadFractions(raw: string): number[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const f = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(f) || f <= 0 || f > 1)
      throw invalidArgument(
        '--load-fractions',
        part,
        "each must be a fraction of the baseline's qps_at_target in (0, 1]",
      );
    return f;
  });
}

export function benchPipelineCommand(): Command {
  const command = new Command('pipeline').description(
    'quality (NDCG@64, recall@64 against the planted relevance) and latency (p95, p99 one query at a time; the highest rate meeting a p95 target) of a multi-stage pipeline against the single-stage baseline, through a real mesh',
  );
  return addRecpipeFlags(command)
    .requiredOption('--pipeline <name>', 'the pipeline to measure (a pipeline of the repository)')
    .option(
      '--baseline <name>',
      "the single-stage baseline measured in the same run ('none': skip)",
      'single-large',
    )
    .addOption(
      new Option('--candidates <n>', 'candidates per query')
        .default(4096)
        .argParser(num('--candidates', { int: true, min: 64 })),
    )
    .addOption(
      new Option(
        '--queries <n>',
        "queries the quality is measured over (the ratio to the baseline's NDCG is reported with a 95% bootstrap interval over them)",
      )
        .default(128)
        .argParser(num('--queries', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--latency-queries <n>', 'queries one at a time per pipeline for p95 and p99')
        .default(100)
        .argParser(num('--latency-queries', { int: true, min: 20 })),
    )
    .addOption(
      new Option(
        '--target-p95-ms <ms>',
        'p95 target of qps_at_target (0 when one query at a time already misses it)',
      )
        .default(200)
        .argParser(num('--target-p95-ms', { min: 0.001 })),
    )
    .addOption(
      new Option(
        '--seconds <n>',
        'measuring time per probe of the rate search is seconds / 6 (at least 3 s)',
      )
        .default(18)
        .argParser(num('--seconds', { min: 1 })),
    )
    .addOption(
      new Option(
        '--load-fractions <list>',
        "the pipeline and the baseline under the same Poisson rates, each this fraction of the baseline's qps_at_target (comma-separated, each in (0, 1]; '' for none): tail latency at equal load",
      )
        .default(parseLoadFractions('0.25,0.5,0.75'), '0.25,0.5,0.75')
        .argParser(parseLoadFractions),
    )
    .option('--out <dir>', 'where the JSON result goes', '.recmesh/bench')
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(async (opts: BenchPipelineFlags) => {
      const names = opts.baseline === 'none' ? [opts.pipeline] : [opts.pipeline, opts.baseline];
      if (names[0] === names[1])
        throw invalidArgument(
          '--baseline',
          opts.baseline,
          'the baseline is the pipeline measured; use --baseline none',
        );
      const loadBefore = loadavg();
      const mesh = await startRecpipeMesh(opts, 'bench pipeline');
      let results: Measured[];
      let loads: AtLoad[];
      try {
        const served = (await mesh.client.listModels()).pipelines.map((p) => p.name);
        for (const [flag, n] of [
          ['--pipeline', opts.pipeline],
          ['--baseline', names[1]],
        ] as const)
          if (n !== undefined && !served.includes(n))
            throw invalidArgument(
              flag,
              n,
              `not a pipeline of ${opts.modelRepository}; it has ${served.join(', ')}`,
            );
        ({ measured: results, loads } = await measure(mesh, names, opts));
      } finally {
        await mesh.stop();
      }
      const loadAfter = loadavg();
      const main = results[0] as Measured;
      const base = results[1];
      const summary = {
        pipeline: opts.pipeline,
        candidates: opts.candidates,
        queries: opts.queries,
        latency_queries: opts.latencyQueries,
        ndcg_at_64: r6(main.ndcg_at_64),
        recall_at_64: r6(main.recall_at_64),
        ...(base === undefined
          ? {}
          : {
              ndcg_vs_single_large: r6(main.ndcg_at_64 / base.ndcg_at_64),
              ndcg_vs_single_large_ci95: ratioInterval(
                main.ndcg_per_query,
                base.ndcg_per_query,
              ).map(r6),
              p95_ratio: r3(base.p95_ms / main.p95_ms),
              p99_ratio: r3(base.p99_ms / main.p99_ms),
            }),
        p50_ms: main.p50_ms,
        p95_ms: main.p95_ms,
        p99_ms: main.p99_ms,
        target_p95_ms: opts.targetP95Ms,
        qps_at_target: main.qps_at_target,
        carbon_g_per_query: main.carbon_g_per_query,
        carbon_method:
          'modelled (the replies’ receipts: busy time x power model, embodied amortised)',
        stages: main.stages,
        ...(base === undefined ? {} : { at_load: loads }),
        ...(base === undefined
          ? {}
          : {
              baseline: {
                ...omitPerQuery(base),
                ndcg_at_64: r6(base.ndcg_at_64),
                recall_at_64: r6(base.recall_at_64),
              },
            }),
        batch_size: opts.batchSize,
        model_batch_size: Object.fromEntries(opts.modelBatchSize),
        loadavg_before: loadBefore.map(r3),
        loadavg_after: loadAfter.map(r3),
        model_repository: opts.modelRepository,
      };
      const out = resolve(opts.out);
      mkdirSync(out, { recursive: true });
      const file = join(out, `pipeline-${opts.pipeline}-${opts.candidates}.json`);
      writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
      info(`bench pipeline: results in ${file}`);
      for (const r of results)
        info(
          `  ${r.pipeline}: NDCG@64 ${r.ndcg_at_64.toFixed(4)}, recall@64 ${r.recall_at_64.toFixed(4)}, p95 ${r.p95_ms} ms, p99 ${r.p99_ms} ms, ${r.qps_at_target} qps at p95 <= ${opts.targetP95Ms} ms`,
        );
      if (base !== undefined)
        info(
          `  ${opts.pipeline} / ${opts.baseline}: NDCG ${summary.ndcg_vs_single_large} (95% interval ${summary.ndcg_vs_single_large_ci95?.join(' to ')}, ${opts.queries} queries), p95 cut ${summary.p95_ratio}x`,
        );
      if (opts.json === true) printJson(summary);
      else process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    });
}
