import { Option, type Command } from 'commander';
import { invalidArgument } from '@recmesh/errors';

/** Parses a number option, naming the flag in the error. */
export function num(flag: string, opts: { int?: boolean; min?: number; max?: number } = {}) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!Number.isFinite(v) || (opts.int === true && !Number.isInteger(v)))
      throw invalidArgument(flag, raw, opts.int === true ? 'not an integer' : 'not a number');
    if (opts.min !== undefined && v < opts.min)
      throw invalidArgument(flag, raw, `must be >= ${opts.min}`);
    if (opts.max !== undefined && v > opts.max)
      throw invalidArgument(flag, raw, `must be <= ${opts.max}`);
    return v;
  };
}

export interface MeshFlags {
  models: string;
  rowScale: number;
  seed: number;
  shards: number;
  workers: number;
  natsUrl: string;
  batchSize: number;
  logDir: string;
}

/** Flags shared by the commands that start a local mesh. */
export function addMeshFlags(command: Command, defaults: { models: string }): Command {
  return command
    .addOption(
      new Option(
        '--models <list>',
        'models to serve (rmc1, rmc2, rmc3, with -cat or -dot)',
      ).default(defaults.models),
    )
    .addOption(
      new Option('--row-scale <f>', "fraction of each preset table's rows (1 = full size)")
        .default(0.01)
        .argParser(num('--row-scale', { min: 1e-6, max: 1 })),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the deterministic weights')
        .default(1)
        .argParser(num('--seed', { int: true, min: 0 })),
    )
    .addOption(
      new Option('--shards <n>', 'embedding shard groups')
        .default(2)
        .argParser(num('--shards', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--workers <n>', 'dense workers')
        .default(1)
        .argParser(num('--workers', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--nats-url <url>', 'NATS server (started locally if none answers)')
        .env('NATS_URL')
        .default('nats://127.0.0.1:4222'),
    )
    .addOption(
      new Option('--batch-size <n>', 'items per batch (static policy)')
        .default(25)
        .argParser(num('--batch-size', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--log-dir <dir>', 'where service logs and the plan go').default('.recmesh/logs'),
    );
}
