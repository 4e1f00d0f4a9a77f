import { Command, Option } from 'commander';
import { denseBackendOf, loadBackend } from '@recmesh/backend';
import {
  buildDenseGraph,
  DOT_LOWERINGS,
  denseGraphOf,
  resolveModel,
  type DotLowering,
} from '@recmesh/models';
import { invalidArgument } from '@recmesh/errors';
import { Rng, quantileSorted } from '@recmesh/workload';
import { num } from '../mesh-options';
import { info, printJson, r3 } from '../output';

interface DenseFlags {
  model: string;
  batch: number;
  threads: number;
  iterations: number;
  warmup: number;
  backend: string;
  seed: number;
  dotLowering: DotLowering[];
  json?: boolean;
}

/** `--dot-lowering a,b`: lowerings of DOT_LOWERINGS, each once. */
function lowerings(value: string): DotLowering[] {
  const list = value.split(',').map((v) => v.trim());
  for (const v of list)
    if (!(DOT_LOWERINGS as readonly string[]).includes(v))
      throw invalidArgument('--dot-lowering', v, `must be one of ${DOT_LOWERINGS.join(', ')}`);
  if (new Set(list).size !== list.length)
    throw invalidArgument('--dot-lowering', value, 'names a lowering twice');
  return list as DotLowering[];
}

interface Timing {
  dot_lowering: DotLowering;
  samples_per_s: number;
  ms_per_batch: number;
  p50_ms: number;
  p99_ms: number;
}

function timing(lowering: DotLowering, times: Float64Array, batch: number): Timing {
  const total = times.reduce((a, t) => a + t, 0);
  const sorted = Float64Array.from(times).sort();
  return {
    dot_lowering: lowering,
    samples_per_s: r3((batch * times.length * 1000) / total),
    ms_per_batch: r3(total / times.length),
    p50_ms: r3(quantileSorted(sorted, 0.5)),
    p99_ms: r3(quantileSorted(sorted, 0.99)),
  };
}

/**
 * Times the dense graph alone (bottom MLP, interaction, top MLP, sigmoid) on the dense backend,
 * as a dense worker runs it, on random inputs. Compare with scripts/bench/dense_torch.py.
 */
export function benchDenseCommand(): Command {
  return new Command('dense')
    .description(
      "samples per second of a model's dense graph on the dense backend (compare: scripts/bench/dense-vs-torch.mjs)",
    )
    .addOption(
      new Option('--model <name>', 'model (rmc1, rmc2, rmc3, with -cat or -dot)').default('rmc3'),
    )
    .addOption(
      new Option('--batch <n>', 'samples per run')
        .default(256)
        .argParser(num('--batch', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--threads <n>', 'intra-op threads of the session')
        .default(1)
        .argParser(num('--threads', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--iterations <n>', 'timed runs')
        .default(200)
        .argParser(num('--iterations', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--warmup <n>', 'untimed runs first')
        .default(20)
        .argParser(num('--warmup', { int: true, min: 0 })),
    )
    .addOption(new Option('--backend <name>', 'dense backend plugin').default('cpu'))
    .addOption(
      new Option('--seed <n>', 'seed of weights and inputs')
        .default(1)
        .argParser(num('--seed', { int: true, min: 0 })),
    )
    .addOption(
      new Option(
        '--dot-lowering <list>',
        `how a dot interaction's pairs reach the top MLP (${DOT_LOWERINGS.join(', ')}); several, comma-separated, are timed side by side, run by run`,
      )
        .default(['auto'], 'auto')
        .argParser(lowerings),
    )
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(async (opts: DenseFlags) => {
      // Tables are not used: the row scale only has to be valid.
      const spec = resolveModel(opts.model, { rowScale: 1e-6, seed: opts.seed });
      const backend = denseBackendOf(await loadBackend(opts.backend, (id) => import(id)));
      const sessions = await Promise.all(
        opts.dotLowering.map((dotLowering) =>
          backend.createSession(
            opts.dotLowering.length === 1 && dotLowering === 'auto'
              ? denseGraphOf(spec)
              : denseGraphOf(spec, buildDenseGraph(spec, undefined, { dotLowering })),
            { intraOpThreads: opts.threads },
          ),
        ),
      );
      const rng = new Rng(opts.seed + 1);
      const b = opts.batch;
      // A few distinct inputs, used round-robin, as a worker sees new batches.
      const inputs = Array.from({ length: 4 }, () => ({
        dense: Float32Array.from({ length: b * spec.denseFeatures }, () => rng.next()),
        emb: Float32Array.from(
          { length: spec.tables.length * b * spec.dim },
          () => (rng.next() - 0.5) * 0.01,
        ),
      }));
      try {
        info(
          `bench dense: ${spec.name} (${JSON.stringify(spec.architecture)}), batch ${b}, ${opts.threads} thread(s), ${backend.capabilities().kernel}, dot lowering ${opts.dotLowering.join(' / ')}`,
        );
        const runAll = async (i: number, times?: Float64Array[]) => {
          const x = inputs[i % inputs.length] as (typeof inputs)[number];
          for (const [k, session] of sessions.entries()) {
            const t0 = performance.now();
            await session.run(x.dense, x.emb, b);
            if (times !== undefined) (times[k] as Float64Array)[i] = performance.now() - t0;
          }
        };
        for (let i = 0; i < opts.warmup; i++) await runAll(i);
        const times = sessions.map(() => new Float64Array(opts.iterations));
        for (let i = 0; i < opts.iterations; i++) await runAll(i, times);
        const timings = opts.dotLowering.map((l, k) => timing(l, times[k] as Float64Array, b));
        const first = timings[0] as Timing;
        const result = {
          model: spec.name,
          batch: b,
          threads: opts.threads,
          backend: backend.name,
          kernel: backend.capabilities().kernel,
          ...first,
          iterations: opts.iterations,
          ...(timings.length > 1
            ? {
                lowerings: timings.map((t) => ({
                  ...t,
                  speedup_vs_first: r3(first.ms_per_batch / t.ms_per_batch),
                })),
              }
            : {}),
        };
        if (opts.json === true) printJson(result);
        else
          for (const t of timings)
            process.stdout.write(
              `${spec.name} batch ${b}, ${opts.threads} thread(s), ${t.dot_lowering}: ${t.samples_per_s} samples/s (${t.ms_per_batch} ms per batch, ${r3(first.ms_per_batch / t.ms_per_batch)}x of ${first.dot_lowering})\n`,
            );
      } finally {
        await Promise.all(sessions.map((s) => s.release()));
      }
    });
}
