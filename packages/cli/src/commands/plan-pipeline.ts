import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { invalidArgument, RecmeshError } from '@recmesh/errors';
import {
  STAGE_BACKENDS,
  scanRepository,
  writePipeline,
  type PipelineStage,
  type StageBackend,
} from '@recmesh/model-repository';
import {
  choosePipeline,
  DATASET_FILE,
  drawQueries,
  evaluatePipelines,
  paretoFront,
  plantedRelevance,
  RECPIPE_MODELS,
  type LatencyProfile,
  type PipelineCandidate,
  type ScoredQuery,
} from '@recmesh/recpipe';
import { paretoSvg, summarize } from '@recmesh/workload';
import { num } from '../mesh-options';
import { info, printJson, r3, r6, table } from '../output';
import {
  addRecpipeFlags,
  startRecpipeMesh,
  type RecpipeFlags,
  type RecpipeMesh,
} from '../recpipe-mesh';

interface PlanPipelineFlags extends RecpipeFlags {
  targetP95Ms: number;
  minNdcg: number;
  candidates: number;
  queries: number;
  profileQueries: number;
  sizes: number[];
  keeps: number[];
  maxStages: number;
  backends: StageBackend[];
  write?: string;
  out: string;
  json?: boolean;
}

const K = 64;
const intList = (flag: string) => (raw: string) =>
  raw.split(',').map((x) => num(flag, { int: true, min: 1 })(x.trim()));
const profileName = (model: string, backend: string) => `profile.${model}.${backend}`;
const describe = (stages: readonly PipelineStage[]) =>
  stages
    .map((s) => `${s.model}${s.backend === 'auto' ? '' : `@${s.backend}`}:${s.keep}`)
    .join(' > ');

/**
 * A scratch repository: the prepared one's models (linked) plus one single-stage pipeline per
 * model and backend, through which each model's latency is profiled on that backend exactly as a
 * pipeline stage runs.
 */
function scratchRepository(repository: string, backends: readonly StageBackend[]): string {
  const root = mkdtempSync(join(tmpdir(), 'recmesh-plan-'));
  const repo = join(root, 'repository');
  mkdirSync(repo);
  const scan = scanRepository(repository);
  for (const name of scan.models.keys())
    symlinkSync(join(scan.root, name), join(repo, name), 'dir');
  symlinkSync(join(scan.root, DATASET_FILE), join(repo, DATASET_FILE));
  for (const model of RECPIPE_MODELS)
    for (const backend of backends)
      writePipeline(repo, {
        format: 'recmesh.pipeline/v1',
        name: profileName(model, backend),
        version: 1,
        stages: [{ model, keep: K, backend }],
      });
  return repo;
}

async function scoreQueries(mesh: RecpipeMesh, opts: PlanPipelineFlags): Promise<ScoredQuery[]> {
  const out: ScoredQuery[] = [];
  for (const q of drawQueries(mesh.world, opts.queries, opts.candidates, 2)) {
    const scores: Record<string, Float32Array> = {};
    for (const model of RECPIPE_MODELS) {
      const reply = await mesh.rank(model, q, 0);
      const s = new Float32Array(q.items.length);
      for (const item of reply.items) s[item.index] = item.score;
      scores[model] = s;
    }
    out.push({ scores, relevance: plantedRelevance(q.probability) });
  }
  return out;
}

/**
 * Each model's p95 against query size on each backend: --profile-queries queries one at a time
 * per (model, backend, size), sent round-robin over all of them (after two warm-up rounds) so that
 * a noisy neighbour's burst lands on every configuration alike rather than on one.
 */
async function profile(mesh: RecpipeMesh, opts: PlanPipelineFlags): Promise<LatencyProfile[]> {
  const sizes = [...new Set(opts.sizes)].filter((s) => s <= opts.candidates).sort((a, b) => a - b);
  const configs = RECPIPE_MODELS.flatMap((model) =>
    opts.backends.flatMap((backend) =>
      sizes.map((items) => ({
        model,
        backend,
        items,
        queries: drawQueries(mesh.world, 4, items, 4),
        latencies: [] as number[],
        carbon: 0,
      })),
    ),
  );
  for (let round = -2; round < opts.profileQueries; round++)
    for (const c of configs) {
      const q = c.queries[(round + 4) % 4] as (typeof c.queries)[number];
      const started = performance.now();
      const reply = await mesh.rank(profileName(c.model, c.backend), q, K);
      if (round < 0) continue;
      c.latencies.push(performance.now() - started);
      c.carbon += reply.carbon?.totalG ?? 0;
    }
  const out: LatencyProfile[] = [];
  for (const model of RECPIPE_MODELS)
    for (const backend of opts.backends) {
      const points = configs
        .filter((c) => c.model === model && c.backend === backend)
        .map((c) => ({
          items: c.items,
          p95Ms: summarize(c.latencies).p95,
          carbonG: c.carbon / opts.profileQueries,
          samplesMs: c.latencies,
        }));
      info(
        `  ${model} on ${backend}: p95 ${points.map((p) => `${p.items}:${p.p95Ms.toFixed(1)}`).join(' ')} ms`,
      );
      out.push({ model, backend, points });
    }
  return out;
}

const row = (c: PipelineCandidate) => ({
  stages: c.stages.map((s) => ({ model: s.model, keep: s.keep, backend: s.backend })),
  describe: describe(c.stages),
  ndcg_at_64: r6(c.ndcg),
  recall_at_64: r6(c.recall),
  ndcg_vs_single_large: r6(c.ndcgVsBaseline),
  p95_ms_modelled: r3(c.p95Ms),
  carbon_g_per_query_modelled: c.carbonG,
});

export function planPipelineCommand(): Command {
  const command = new Command('pipeline').description(
    "RecPipe's search: over stages, model, items kept and backend per stage, the Pareto front of NDCG@64 against p95 latency and carbon per query, and the configuration that meets a p95 target and a minimum NDCG@64",
  );
  return addRecpipeFlags(command)
    .requiredOption(
      '--target-p95-ms <ms>',
      'p95 the chosen pipeline must meet',
      num('--target-p95-ms', { min: 0.001 }),
    )
    .requiredOption(
      '--min-ndcg <x>',
      'NDCG@64 (against the planted relevance) it must reach',
      num('--min-ndcg', { min: 0, max: 1 }),
    )
    .addOption(
      new Option('--candidates <n>', 'candidates per query')
        .default(4096)
        .argParser(num('--candidates', { int: true, min: 65 })),
    )
    .addOption(
      new Option(
        '--queries <n>',
        "queries the quality of every configuration is measured over (as many as bench pipeline's: over 16 or 32 the ratio to single-large's NDCG moved by 0.015)",
      )
        .default(128)
        .argParser(num('--queries', { int: true, min: 1 })),
    )
    .addOption(
      new Option(
        '--profile-queries <n>',
        'queries one at a time per model, backend and size of the latency profile',
      )
        .default(20)
        .argParser(num('--profile-queries', { int: true, min: 3 })),
    )
    .addOption(
      new Option('--sizes <list>', 'query sizes the latency profile measures')
        .default([64, 128, 256, 512, 1024, 2048, 4096])
        .argParser(intList('--sizes')),
    )
    .addOption(
      new Option('--keeps <list>', 'items a filter stage may keep')
        .default([128, 256, 512, 1024, 2048])
        .argParser(intList('--keeps')),
    )
    .addOption(
      new Option('--max-stages <n>', 'most stages')
        .default(3)
        .argParser(num('--max-stages', { int: true, min: 1, max: 4 })),
    )
    .addOption(
      new Option(
        '--backends <list>',
        `stage backends searched (${STAGE_BACKENDS.join(', ')}; accel needs --accel-workers)`,
      )
        .default(['cpu'])
        .argParser((raw: string) =>
          raw.split(',').map((b) => {
            if (!(STAGE_BACKENDS as readonly string[]).includes(b.trim()))
              throw invalidArgument('--backends', b, `one of ${STAGE_BACKENDS.join(', ')}`);
            return b.trim() as StageBackend;
          }),
        ),
    )
    .option('--write <name>', 'write the chosen configuration to the repository as this pipeline')
    .option('--out <dir>', 'where the JSON result and the Pareto plot go', '.recmesh/bench')
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(async (opts: PlanPipelineFlags) => {
      if (opts.backends.includes('accel') && opts.accelWorkers === 0)
        throw invalidArgument(
          '--backends',
          opts.backends.join(','),
          "'accel' needs an accelerator pool: --accel-workers 1 or more",
        );
      const repository = resolve(opts.modelRepository);
      const loadBefore = loadavg();
      // Prepare (when needed) and read the repository first, then serve a scratch copy of it.
      const prepared = await startRecpipeMesh(
        { ...opts, workers: 1, accelWorkers: 0 },
        'plan pipeline',
      );
      await prepared.stop();
      const scratch = scratchRepository(repository, opts.backends);
      const mesh = await startRecpipeMesh({ ...opts, modelRepository: scratch }, 'plan pipeline');
      let scored: ScoredQuery[];
      let profiles: LatencyProfile[];
      try {
        info(
          `plan pipeline: scoring ${opts.queries} queries of ${opts.candidates} candidates with every model`,
        );
        scored = await scoreQueries(mesh, opts);
        info('plan pipeline: latency profiles (p95 against query size, one query at a time)');
        profiles = await profile(mesh, opts);
      } finally {
        await mesh.stop();
        rmSync(resolve(scratch, '..'), { recursive: true, force: true });
      }
      const space = {
        candidates: opts.candidates,
        finalK: K,
        models: RECPIPE_MODELS,
        backends: opts.backends,
        keeps: opts.keeps,
        maxStages: opts.maxStages,
      };
      const baseline: PipelineStage[] = [
        { model: 'rm-large', keep: K, backend: opts.backends[0] ?? 'cpu' },
      ];
      const all = evaluatePipelines(space, profiles, scored, baseline);
      const front = paretoFront(all);
      const chosen = choosePipeline(all, opts.targetP95Ms, opts.minNdcg);
      const single = all.find((c) => c.stages.length === 1 && c.stages[0]?.model === 'rm-large');
      const out = resolve(opts.out);
      mkdirSync(out, { recursive: true });
      const base = join(out, `plan-pipeline-${opts.candidates}`);
      const svg = await paretoSvg(
        all.map((c) => ({
          name: describe(c.stages),
          latencyMs: c.p95Ms,
          quality: c.ndcg,
          carbonG: c.carbonG,
          group: c === chosen ? 'chosen' : front.includes(c) ? 'front' : 'other',
        })),
        opts.targetP95Ms,
        `RecPipe search: NDCG@64 vs p95 at ${opts.candidates} candidates (${all.length} pipelines)`,
        'NDCG@64 (planted relevance)',
      );
      writeFileSync(`${base}.svg`, svg);
      let written: string | undefined;
      if (chosen !== undefined && opts.write !== undefined) {
        const versions = readdirSync(repository).includes(opts.write)
          ? readdirSync(join(repository, opts.write)).map(Number).filter(Number.isInteger)
          : [];
        const version = Math.max(0, ...versions) + 1;
        writePipeline(repository, {
          format: 'recmesh.pipeline/v1',
          name: opts.write,
          version,
          description: `chosen by recmesh plan pipeline --target-p95-ms ${opts.targetP95Ms} --min-ndcg ${opts.minNdcg}`,
          stages: chosen.stages.map((s) => ({ ...s })),
        });
        written = `${opts.write} version ${version}`;
      }
      const summary = {
        target_p95_ms: opts.targetP95Ms,
        min_ndcg: opts.minNdcg,
        candidates: opts.candidates,
        queries: opts.queries,
        searched: all.length,
        latency:
          'modelled: each stage model profiled once through the mesh (latency samples vs items), p95 of the sum of independent draws per stage; confirm with recmesh bench pipeline',
        carbon:
          'modelled: the receipts of the profile queries (busy time x power model, embodied amortised)',
        chosen: chosen === undefined ? null : row(chosen),
        single_large: single === undefined ? null : row(single),
        pareto_front: front.map(row),
        profiles: profiles.map((p) => ({
          model: p.model,
          backend: p.backend,
          points: p.points.map((x) => ({
            items: x.items,
            p95_ms: r3(x.p95Ms),
            carbon_g: x.carbonG,
          })),
        })),
        written: written ?? null,
        plot: `${base}.svg`,
        loadavg_before: loadBefore.map(r3),
        loadavg_after: loadavg().map(r3),
      };
      writeFileSync(`${base}.json`, `${JSON.stringify(summary, null, 2)}\n`);
      info(
        `plan pipeline: ${all.length} pipelines, ${front.length} on the Pareto front; plot ${base}.svg`,
      );
      if (opts.json !== true)
        process.stdout.write(
          `${table([
            ['PARETO FRONT', 'NDCG@64', 'VS LARGE', 'P95 MS', 'G CO2E/Q'],
            ...front.map((c) => [
              `${c === chosen ? '* ' : ''}${describe(c.stages)}`,
              c.ndcg.toFixed(4),
              c.ndcgVsBaseline.toFixed(3),
              c.p95Ms.toFixed(1),
              c.carbonG.toExponential(2),
            ]),
          ])}\n`,
        );
      if (chosen === undefined) {
        if (opts.json === true) printJson(summary);
        throw new RecmeshError(
          'failed_precondition',
          `no pipeline has p95 <= ${opts.targetP95Ms} ms and NDCG@64 >= ${opts.minNdcg}; see the Pareto front in ${base}.json`,
        );
      }
      info(
        `chosen: ${describe(chosen.stages)}${written === undefined ? '' : ` (written as ${written})`}`,
      );
      if (opts.json === true) printJson(summary);
    });
}
