import { Command, Option } from 'commander';
import { denseBackendOf, loadBackend } from '@recmesh/backend';
import { denseGraphOf, resolveModel } from '@recmesh/models';
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
  json?: boolean;
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
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(async (opts: DenseFlags) => {
      // Tables are not used: the row scale only has to be valid.
      const spec = resolveModel(opts.model, { rowScale: 1e-6, seed: opts.seed });
      const backend = denseBackendOf(await loadBackend(opts.backend, (id) => import(id)));
      const session = await backend.createSession(denseGraphOf(spec), {
        intraOpThreads: opts.threads,
      });
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
          `bench dense: ${spec.name} (${JSON.stringify(spec.architecture)}), batch ${b}, ${opts.threads} thread(s), ${backend.capabilities().kernel}`,
        );
        for (let i = 0; i < opts.warmup; i++) {
          const x = inputs[i % inputs.length] as (typeof inputs)[number];
          await session.run(x.dense, x.emb, b);
        }
        const times = new Float64Array(opts.iterations);
        const started = performance.now();
        for (let i = 0; i < opts.iterations; i++) {
          const x = inputs[i % inputs.length] as (typeof inputs)[number];
          const t0 = performance.now();
          await session.run(x.dense, x.emb, b);
          times[i] = performance.now() - t0;
        }
        const seconds = (performance.now() - started) / 1000;
        times.sort();
        const result = {
          model: spec.name,
          batch: b,
          threads: opts.threads,
          backend: backend.name,
          kernel: backend.capabilities().kernel,
          samples_per_s: r3((b * opts.iterations) / seconds),
          ms_per_batch: r3((seconds * 1000) / opts.iterations),
          p50_ms: r3(quantileSorted(times, 0.5)),
          p99_ms: r3(quantileSorted(times, 0.99)),
          iterations: opts.iterations,
        };
        if (opts.json === true) printJson(result);
        else
          process.stdout.write(
            `${spec.name} batch ${b}, ${opts.threads} thread(s): ${result.samples_per_s} samples/s (${result.ms_per_batch} ms per batch)\n`,
          );
      } finally {
        await session.release();
      }
    });
}
