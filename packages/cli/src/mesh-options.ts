import { Option, type Command } from 'commander';
import { parseDtype } from '@recmesh/backend';
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

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/** Parses a byte count: `2000000000`, `2e9`, `1.5GiB`, `800MB`; names the flag in the error. */
export function bytesArg(flag: string) {
  return (raw: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?)?b?\s*$/i.exec(raw);
    const value = m === null ? NaN : Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? NaN);
    if (!(value > 0))
      throw invalidArgument(flag, raw, 'not a byte count (e.g. 2e9, 1.5GiB, 800MB)');
    return Math.floor(value);
  };
}

/** Parses one byte count or several, comma-separated. */
export function bytesListArg(flag: string) {
  const one = bytesArg(flag);
  return (raw: string): number[] => raw.split(',').map((part) => one(part));
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
  budgetBytes?: number;
  replicas: number;
  tableDtype?: 'fp32' | 'fp16' | 'int8';
  plan?: string;
  tablesDir?: string;
  modelRepository?: string;
}

/** --models, --row-scale and --seed: which models, at what size. */
export function addModelFlags(
  command: Command,
  defaults: { models: string; rowScale: number },
): Command {
  return command
    .addOption(
      new Option(
        '--models <list>',
        'built-in models to serve: rmc1, rmc2, rmc3 (DeepRecSys DLRMs), ncf, wnd, mtwnd, din, dien, rm-small, rm-med, rm-large; DLRMs take -cat, -dot or -dot-self',
      ).default(defaults.models),
    )
    .addOption(
      new Option('--row-scale <f>', "fraction of each preset table's rows (1 = full size)")
        .default(defaults.rowScale)
        .argParser(num('--row-scale', { min: 1e-6, max: 1 })),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the deterministic weights')
        .default(1)
        .argParser(num('--seed', { int: true, min: 0 })),
    );
}

/** Flags shared by the commands that start a local mesh. */
export function addMeshFlags(command: Command, defaults: { models: string }): Command {
  return addModelFlags(command, { models: defaults.models, rowScale: 0.01 })
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
    )
    .addOption(
      new Option(
        '--budget-bytes <bytes>',
        'table bytes one shard may hold (2e9, 1.5GiB); tables too big for one shard are split row-wise',
      ).argParser(bytesArg('--budget-bytes')),
    )
    .addOption(
      new Option('--replicas <n>', 'shard processes per shard group')
        .default(1)
        .argParser(num('--replicas', { int: true, min: 1 })),
    )
    .addOption(
      new Option(
        '--table-dtype <t>',
        'element type shards hold tables in: fp32, fp16, int8',
      ).argParser((raw) => parseDtype('--table-dtype', raw)),
    )
    .addOption(
      new Option('--plan <file>', 'use this sharding plan (from `recmesh plan shards`) as it is'),
    )
    .addOption(
      new Option(
        '--tables-dir <dir>',
        'load tables from .npy / .safetensors files in <dir>/<model>/ instead of generating them',
      ),
    )
    .addOption(
      new Option(
        '--model-repository <dir>',
        'serve every model of this repository (<dir>/<model>/<version>/manifest.json) beside --models',
      ),
    );
}
