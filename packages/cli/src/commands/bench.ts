import { Command, Option } from 'commander';
import { parseDtype, type PoolingMode } from '@recmesh/backend';
import { invalidArgument } from '@recmesh/errors';
import {
  benchKernel,
  CpuEmbeddingBackend,
  KERNEL_BENCH_DEFAULTS,
  type KernelChoice,
} from '@recmesh/plugin-cpu';
import { benchNmpKernel } from '@recmesh/plugin-nmp';
import { benchDenseCommand } from './bench-dense';
import { benchServeCommand } from './bench-serve';
import { benchPipelineCommand } from './bench-pipeline';
import { num } from '../mesh-options';
import { info, printJson, r3 } from '../output';

const KERNELS: readonly KernelChoice[] = ['auto', 'native', 'native-generic', 'typescript'];
/** `nmp`: the exact results on the cpu kernel, plus RecNMP's modelled speedup and energy. */
type BenchBackend = KernelChoice | 'nmp';

function nmpConfig(raw: string): Record<string, unknown> {
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch (err) {
    throw invalidArgument('--nmp-config', raw, `not JSON: ${(err as Error).message}`);
  }
}

function choice<T extends string>(flag: string, values: readonly T[]) {
  return (raw: string): T => {
    if ((values as readonly string[]).includes(raw)) return raw as T;
    throw invalidArgument(flag, raw, `expected one of ${values.join(', ')}`);
  };
}

function kernelCommand(): Command {
  const d = KERNEL_BENCH_DEFAULTS;
  const int = (flag: string, min = 1) => num(flag, { int: true, min });
  return new Command('kernel')
    .description(
      'time the cpu gather-reduce kernel (EmbeddingBag) on a random table; compare with scripts/bench/embeddingbag_torch.py',
    )
    .addOption(new Option('--rows <n>', 'table rows').default(d.rows).argParser(int('--rows')))
    .addOption(new Option('--dim <n>', 'embedding width').default(d.dim).argParser(int('--dim')))
    .addOption(new Option('--bags <n>', 'bags per batch').default(d.bags).argParser(int('--bags')))
    .addOption(new Option('--pool <n>', 'indices per bag').default(d.pool).argParser(int('--pool')))
    .addOption(
      new Option('--threads <n>', 'threads one batch is spread over')
        .default(d.threads)
        .argParser(int('--threads')),
    )
    .addOption(
      new Option('--dtype <t>', 'table element type: fp32, fp16, int8 (fused row-wise)')
        .default(d.dtype)
        .argParser((raw) => parseDtype('--dtype', raw)),
    )
    .addOption(
      new Option('--mode <m>', 'pooling: sum or mean')
        .default(d.mode)
        .argParser(choice<PoolingMode>('--mode', ['sum', 'mean'])),
    )
    .option('--weighted', 'per-index weights (weighted sum)', false)
    .addOption(
      new Option('--iterations <n>', 'timed batches')
        .default(d.iterations)
        .argParser(int('--iterations')),
    )
    .addOption(
      new Option('--warmup <n>', 'untimed batches first')
        .default(d.warmup)
        .argParser(int('--warmup', 0)),
    )
    .addOption(
      new Option('--batches <n>', 'distinct random batches, used round-robin')
        .default(d.batches)
        .argParser(int('--batches')),
    )
    .addOption(new Option('--seed <n>', 'random seed').default(d.seed).argParser(int('--seed', 0)))
    .addOption(
      new Option(
        '--backend <kernel>',
        `kernel: ${KERNELS.join(', ')}, or nmp (cpu figures plus RecNMP's modelled speedup, energy saving and cache hit rate)`,
      )
        .default(d.kernel)
        .argParser(choice<BenchBackend>('--backend', [...KERNELS, 'nmp'])),
    )
    .addOption(
      new Option('--zipf <s>', 'nmp: Zipf exponent of row popularity (0: uniform)')
        .default(0)
        .argParser(num('--zipf', { min: 0 })),
    )
    .addOption(
      new Option(
        '--nmp-config <json>',
        'nmp: hardware overrides, e.g. {"ranksPerDimm":4}',
      ).argParser(nmpConfig),
    )
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(
      async (
        opts: Parameters<typeof benchKernel>[0] & {
          backend: BenchBackend;
          zipf: number;
          nmpConfig?: Record<string, unknown>;
          json?: boolean;
        },
      ) => {
        if (opts.backend === 'nmp') {
          const cpu = new CpuEmbeddingBackend({ threads: opts.threads, minIndicesPerThread: 1 });
          try {
            info(
              `bench kernel: nmp model over ${opts.rows} x ${opts.dim}, ${opts.bags} bags x ${opts.pool}, zipf ${opts.zipf}`,
            );
            const nmp = await benchNmpKernel({
              rows: opts.rows ?? d.rows,
              dim: opts.dim ?? d.dim,
              bags: opts.bags ?? d.bags,
              pool: opts.pool ?? d.pool,
              dtype: opts.dtype,
              zipf: opts.zipf,
              mode: opts.mode,
              weighted: opts.weighted,
              seed: opts.seed,
              cpu,
              ...(opts.nmpConfig === undefined ? {} : { config: opts.nmpConfig }),
            });
            if (opts.json === true) printJson({ threads: opts.threads, ...nmp });
            else {
              process.stdout.write(
                `nmp (exact on ${nmp.kernel}): modelled speedup ${r3(nmp.modelled_speedup)}x, energy saving ` +
                  `${r3(100 * nmp.modelled_energy_saving)}%, cache hit rate ${r3(100 * nmp.cache_hit_rate)}%; ` +
                  `cpu ${nmp.lookups_per_s === null ? 'not measured' : `${r3(nmp.lookups_per_s / 1e6)}M lookups/s`}\n`,
              );
            }
          } finally {
            await cpu.dispose();
          }
          return;
        }
        const result = await benchKernel({ ...opts, kernel: opts.backend }, info);
        if (opts.json === true) {
          printJson(result);
          return;
        }
        process.stdout.write(
          `${result.kernel} ${result.dtype} ${result.mode}${result.weighted ? ' weighted' : ''}, ` +
            `${result.rows} x ${result.dim}, ${result.bags} bags x ${result.pool}, ${result.threads} thread(s): ` +
            `${r3(result.lookups_per_s / 1e6)}M lookups/s, ${r3(result.gb_per_s)} GB/s gathered, ` +
            `${r3(result.ms_per_batch)} ms per batch (p50 ${r3(result.p50_ms)})\n`,
        );
      },
    );
}

/** `recmesh bench`: measurements printed as figures and JSON, never tests. */
export function benchCommand(): Command {
  return new Command('bench')
    .description(
      'benchmarks: kernel (gather-reduce), dense (MLPs), serve (latency-bounded throughput), pipeline (RecPipe quality and latency)',
    )
    .addCommand(kernelCommand())
    .addCommand(benchDenseCommand())
    .addCommand(benchServeCommand())
    .addCommand(benchPipelineCommand());
}
