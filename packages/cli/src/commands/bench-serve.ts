import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { RankingClient, SchedulerClient } from '@recmesh/client';
import type { SchedulerState } from '@recmesh/proto';
import {
  findMaxLoad,
  latencyThroughputSvg,
  Rng,
  runOpenLoop,
  sizesByName,
  syntheticQuery,
  type MaxLoadResult,
  type Probe,
} from '@recmesh/workload';
import { startLocalMesh, type LocalMesh } from '../local-mesh';
import { addMeshFlags, num, type MeshFlags } from '../mesh-options';
import { shapeOf, waitUntilReady } from '../model-shape';
import { info, printJson, r3 } from '../output';

type Policy = 'static' | 'deeprecsched';

interface ServeFlags extends MeshFlags {
  model: string;
  policy: Policy | 'both';
  targetP95Ms?: number;
  level: 'low' | 'medium' | 'high';
  seconds: number;
  sizes: string;
  meanItems: number;
  maxItems: number;
  accelWorkers: number;
  window: number;
  out: string;
  target?: string;
  json?: boolean;
}

interface PolicyResult {
  policy: Policy;
  qps_at_target: number;
  p95_ms: number;
  p99_ms: number;
  p95_ci_ms: readonly [number, number];
  batch_size: number;
  offload_threshold: number;
  phase: string;
  failed_at_qps: number | null;
  stop: MaxLoadResult['stop'];
  probes: {
    qps: number;
    p95_ms: number;
    p99_ms: number;
    p95_ci_ms: readonly [number, number];
    errors: number;
    completed: number;
    passed: boolean;
    batch_size: number;
    phase: string;
  }[];
}

const describeState = (s: SchedulerState | undefined) =>
  s === undefined
    ? ''
    : `${s.policy}/${s.phase} batch ${s.batchSize} offload ${s.offloadThreshold < 0 ? '-' : s.offloadThreshold}`;

/** The highest arrival rate whose p95 meets the target, for one policy on one mesh. */
async function measurePolicy(
  address: string,
  policy: Policy,
  opts: ServeFlags,
  targetMs: number,
  /** DeepRecSched: the rate to tune at before the search (the static policy's capacity). */
  tuneAtQps: number | undefined,
): Promise<PolicyResult> {
  const client = new RankingClient(address);
  const scheduler = new SchedulerClient(address);
  try {
    const shape = shapeOf(await waitUntilReady(client, opts.model, 30_000));
    await scheduler.configure({
      model: opts.model,
      policy,
      batchSize: opts.batchSize,
      offloadThreshold: -1,
      targetP95Ms: targetMs,
    });
    const sizes = sizesByName(opts.sizes, opts.meanItems, opts.maxItems);
    const rng = new Rng(opts.seed + 17);
    const send = async (size: number) => {
      await client.rank(syntheticQuery(shape, size, rng), {
        timeoutMs: Math.max(5 * targetMs, 2000),
      });
    };
    // Start near what one query at a time can do: that rate is well under capacity on any box.
    const started = performance.now();
    for (let i = 0; i < 10; i++) await send(Math.round(opts.meanItems));
    const serialQps = 10_000 / (performance.now() - started);
    const state = async () => (await scheduler.getState(opts.model)).models[0];
    let startRate = Math.max(0.5, serialQps);
    if (policy === 'deeprecsched') {
      // One mean-sized query at a time overstates capacity under heavy-tailed sizes: without the
      // static policy's figure, tune at half the serial rate.
      // DeepRecSched tunes at a load near capacity (at low rates a climb is slow and every
      // configuration has headroom). Run the load the static policy sustained, or the serial
      // rate, until the climb settles; the search starts there. Less load later keeps the
      // tuned configuration; more load, or p95 over target, re-tunes.
      startRate = tuneAtQps !== undefined && tuneAtQps > 0 ? tuneAtQps : startRate / 2;
      info(`  deeprecsched: tuning at ${startRate.toFixed(1)} qps`);
      let settled = false;
      const poll = setInterval(() => {
        void state().then(
          (s) => {
            settled = s?.phase === 'steady';
          },
          () => undefined,
        );
      }, 250);
      await runOpenLoop({
        rate: startRate,
        durationS: 120,
        warmupS: 2,
        warmupDone: () => settled,
        measureS: 0.001,
        minMeasured: 1,
        sizes,
        seed: opts.seed + 1000,
        send,
        drainMs: Math.max(10 * targetMs, 5000),
      });
      clearInterval(poll);
      const s = await state();
      info(`  deeprecsched: ${describeState(s)} after tuning (${s?.retunes ?? 0} climbs)`);
    }
    // About 7 probes fit the budget (bracket + bisect). Each probe measures up to 200 queries
    // (a p95 from fewer is noisy) after a warm-up: 2 s, and for DeepRecSched until it has
    // closed two windows at this load and is steady (at most 60 s).
    const probeS = Math.max(3, opts.seconds / 7);
    const probes: PolicyResult['probes'] = [];
    const result = await findMaxLoad({
      targetP95Ms: targetMs,
      startRate,
      maxProbes: 9,
      probe: async (rate): Promise<Probe> => {
        const bar = process.stderr.isTTY
          ? new SingleBar({
              format: `  ${policy} @ ${rate.toFixed(1)} qps [{bar}] {percentage}% | {done} done, {errors} errors | {sched}`,
              stream: process.stderr,
            })
          : undefined;
        bar?.start(100, 0, { done: 0, errors: 0, sched: '' });
        let sched = '';
        let settled = policy === 'static';
        // DeepRecSched has seen this load once two windows closed during it (the first may have
        // opened before the probe), and has settled if it is steady then.
        const windowsBefore = Number((await state())?.windows ?? 0);
        const poll = setInterval(() => {
          void state().then(
            (s) => {
              sched = describeState(s);
              settled =
                policy === 'static' ||
                (s?.phase === 'steady' && Number(s.windows) >= windowsBefore + 2);
            },
            () => undefined,
          );
        }, 250);
        // 200 queries make a usable p95; at very low rates take 20 s worth (at least 60) so that
        // a probe of an unreachable target does not run for minutes.
        const minMeasured = Math.round(Math.min(200, Math.max(60, rate * 20)));
        const load = await runOpenLoop({
          rate,
          durationS: 60 + probeS + (2 * minMeasured) / rate,
          warmupS: 2,
          warmupDone: () => settled,
          measureS: probeS,
          minMeasured,
          sizes,
          seed: opts.seed + probes.length,
          send,
          drainMs: Math.max(10 * targetMs, 5000),
          onProgress: (p) =>
            bar?.update(Math.min(100, Math.round((100 * p.elapsedS) / p.durationS)), {
              done: p.done,
              errors: p.errors,
              sched,
            }),
        });
        clearInterval(poll);
        bar?.stop();
        const s = await state();
        const probe: Probe = {
          rate,
          completed: load.completed,
          errors: load.errors,
          p95Ms: load.latencyMs.p95,
          p99Ms: load.latencyMs.p99,
          p95Ci: load.p95Ci,
          achievedQps: load.achievedQps,
          extra: { batchSize: s?.batchSize, phase: s?.phase },
        };
        return probe;
      },
      onProbe: (p, passed) => {
        const batch = (p.extra?.batchSize as number | undefined) ?? 0;
        const phase = (p.extra?.phase as string | undefined) ?? '';
        probes.push({
          qps: r3(p.rate),
          p95_ms: r3(p.p95Ms),
          p99_ms: r3(p.p99Ms),
          p95_ci_ms: [r3(p.p95Ci[0]), r3(p.p95Ci[1])],
          errors: p.errors,
          completed: p.completed,
          passed,
          batch_size: batch,
          phase,
        });
        info(
          `  ${policy}: ${p.rate.toFixed(1)} qps -> p95 ${p.p95Ms.toFixed(1)} ms (95% CI ${p.p95Ci[0].toFixed(1)}-${p.p95Ci[1].toFixed(1)}), p99 ${p.p99Ms.toFixed(1)} ms, ` +
            `${p.errors} errors: ${passed ? 'meets' : 'misses'} ${targetMs} ms | scheduler ${phase}, batch ${batch}`,
        );
      },
    });
    const final = await state();
    return {
      policy,
      qps_at_target: r3(result.qpsAtTarget),
      p95_ms: r3(result.best?.p95Ms ?? NaN),
      p99_ms: r3(result.best?.p99Ms ?? NaN),
      p95_ci_ms:
        result.best === undefined
          ? [NaN, NaN]
          : [r3(result.best.p95Ci[0]), r3(result.best.p95Ci[1])],
      batch_size: (result.best?.extra?.batchSize as number | undefined) ?? final?.batchSize ?? 0,
      offload_threshold: final?.offloadThreshold ?? -1,
      phase: final?.phase ?? '',
      failed_at_qps: result.failedAt === undefined ? null : r3(result.failedAt),
      stop: result.stop,
      probes,
    };
  } finally {
    client.close();
    scheduler.close();
  }
}

export function benchServeCommand(): Command {
  const command = new Command('serve').description(
    "latency-bounded throughput (DeepRecSched's metric): the highest Poisson arrival rate whose p95 meets the target, per scheduling policy",
  );
  addMeshFlags(command, { models: '' })
    .addOption(new Option('--model <name>', 'model').default('rmc1'))
    .addOption(
      new Option('--policy <p>', 'static, deeprecsched, or both (one run, with the ratio)')
        .choices(['static', 'deeprecsched', 'both'])
        .default('both'),
    )
    .addOption(
      new Option(
        '--target-p95-ms <ms>',
        "p95 target (default: the model's --level target)",
      ).argParser(num('--target-p95-ms', { min: 0.001 })),
    )
    .addOption(
      new Option('--level <l>', 'DeepRecSys target level')
        .choices(['low', 'medium', 'high'])
        .default('medium'),
    )
    .addOption(
      new Option('--seconds <n>', 'measurement budget per policy')
        .default(60)
        .argParser(num('--seconds', { min: 5 })),
    )
    .addOption(
      new Option('--sizes <d>', 'query sizes: production (heavy tail), lognormal, fixed').default(
        'production',
      ),
    )
    .addOption(
      new Option('--mean-items <n>', 'mean query size')
        .default(100)
        .argParser(num('--mean-items', { min: 1 })),
    )
    .addOption(
      new Option('--max-items <n>', 'largest query')
        .default(1000)
        .argParser(num('--max-items', { int: true, min: 1 })),
    )
    .addOption(
      new Option(
        '--accel-workers <n>',
        'dense workers in the accelerator pool (a second CPU pool here)',
      )
        .default(0)
        .argParser(num('--accel-workers', { int: true, min: 0 })),
    )
    .addOption(
      new Option('--window <n>', 'queries per scheduler measurement window')
        .default(32)
        .argParser(num('--window', { int: true, min: 8 })),
    )
    .addOption(
      new Option(
        '--out <dir>',
        'where the JSON results and the latency-throughput plot go',
      ).default('.recmesh/bench'),
    )
    .option('--target <host:port>', 'measure a running orchestrator instead of starting a mesh')
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(async (opts: ServeFlags) => {
      const policies: Policy[] =
        opts.policy === 'both' ? ['static', 'deeprecsched'] : [opts.policy];
      const results: PolicyResult[] = [];
      let targetMs = opts.targetP95Ms ?? 0;
      for (const policy of policies) {
        let mesh: LocalMesh | undefined;
        let address = opts.target ?? '';
        if (address === '') {
          info(`bench serve: starting a mesh for ${opts.model} (${policy})`);
          mesh = await startLocalMesh({
            ...opts,
            models: opts.models === '' ? opts.model : opts.models,
            port: 0,
            mesh: `bench-${process.pid}-${policy}`,
            scheduler: policy,
            accelWorkers: opts.accelWorkers,
            orchestratorEnv: { RECMESH_SCHED_WINDOW: String(opts.window) },
            deleteStreamOnStop: true,
            log: () => undefined,
          });
          address = mesh.orchestrator;
        }
        try {
          if (targetMs === 0) {
            const client = new RankingClient(address);
            const infoModel = await waitUntilReady(client, opts.model, 30_000);
            client.close();
            const [low, medium, high] = infoModel.p95TargetsMs;
            targetMs = (opts.level === 'low' ? low : opts.level === 'high' ? high : medium) ?? 100;
          }
          info(
            `bench serve: ${opts.model}, ${policy}, p95 target ${targetMs} ms, ${opts.sizes} sizes (mean ${opts.meanItems})`,
          );
          const tuneAt = results.find((r) => r.policy === 'static')?.qps_at_target;
          results.push(await measurePolicy(address, policy, opts, targetMs, tuneAt));
        } finally {
          await mesh?.stop();
        }
      }
      const main = results.at(-1) as PolicyResult;
      const stat = results.find((r) => r.policy === 'static');
      const tuned = results.find((r) => r.policy === 'deeprecsched');
      const ratio =
        stat !== undefined && tuned !== undefined && stat.qps_at_target > 0
          ? r3(tuned.qps_at_target / stat.qps_at_target)
          : null;
      const summary = {
        model: opts.model,
        target_p95_ms: targetMs,
        sizes: opts.sizes,
        mean_items: opts.meanItems,
        row_scale: opts.rowScale,
        policy: main.policy,
        qps_at_target: main.qps_at_target,
        p95_ms: main.p95_ms,
        p99_ms: main.p99_ms,
        batch_size: main.batch_size,
        offload_threshold: main.offload_threshold,
        ...(ratio === null ? {} : { ratio_vs_static: ratio }),
        policies: Object.fromEntries(results.map((r) => [r.policy, r])),
      };
      const out = resolve(opts.out);
      mkdirSync(out, { recursive: true });
      const base = join(out, `serve-${opts.model}-${Math.round(targetMs)}ms`);
      writeFileSync(`${base}.json`, `${JSON.stringify(summary, null, 2)}\n`);
      const svg = await latencyThroughputSvg(
        results.map((r) => ({
          name: r.policy,
          points: [...r.probes]
            .sort((a, b) => a.qps - b.qps)
            .map((p) => ({ qps: p.qps, p95Ms: p.p95_ms, p99Ms: p.p99_ms })),
        })),
        targetMs,
        `${opts.model}: latency vs load (p95 target ${targetMs} ms)`,
      );
      writeFileSync(`${base}.svg`, svg);
      info(`bench serve: results in ${base}.json, plot in ${base}.svg`);
      for (const r of results)
        info(
          `  ${r.policy}: ${r.qps_at_target} qps at p95 <= ${targetMs} ms (p95 ${r.p95_ms}, p99 ${r.p99_ms}, batch ${r.batch_size})`,
        );
      if (ratio !== null) info(`  deeprecsched / static = ${ratio}x`);
      if (opts.json === true) printJson({ ...summary, plot: `${base}.svg` });
    });
  return command;
}
