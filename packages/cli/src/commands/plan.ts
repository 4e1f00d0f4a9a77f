import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parseDtype } from '@recmesh/backend';
import { planLoads, planShards, resolveModels, type ShardingPlan } from '@recmesh/models';
import { addModelFlags, bytesArg, bytesListArg, num } from '../mesh-options';
import { info, printJson, table } from '../output';
import { planPipelineCommand } from './plan-pipeline';

interface PlanFlags {
  models: string;
  rowScale: number;
  seed: number;
  groups: number;
  budgetBytes?: number[];
  replicas: number;
  dtype: 'fp32' | 'fp16' | 'int8';
  maxPartitionBytes?: number;
  out: string;
  json?: boolean;
}

const gb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1e9).toFixed(3)} GB` : '-');

function shardsCommand(): Command {
  const command = new Command('shards').description(
    'place the tables of models on shard groups within per-shard memory budgets (row-wise splits for tables too big for one shard) and write the plan JSON',
  );
  return addModelFlags(command, { models: 'rmc1,rmc2,rmc3', rowScale: 1 })
    .addOption(
      new Option('--groups <n>', 'shard groups')
        .default(2)
        .argParser(num('--groups', { int: true, min: 1 })),
    )
    .addOption(
      new Option(
        '--budget-bytes <bytes>',
        'table bytes one shard may hold: one value, or one per group comma-separated (2e9, 1.5GiB, 800MB); default unlimited',
      ).argParser(bytesListArg('--budget-bytes')),
    )
    .addOption(
      new Option('--replicas <n>', 'shard processes per group')
        .default(1)
        .argParser(num('--replicas', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--dtype <t>', 'element type shards hold tables in: fp32, fp16, int8')
        .default('fp32')
        .argParser((raw) => parseDtype('--dtype', raw)),
    )
    .addOption(
      new Option(
        '--max-partition-bytes <bytes>',
        'split tables larger than this row-wise (default: the smallest budget)',
      ).argParser(bytesArg('--max-partition-bytes')),
    )
    .requiredOption('--out <file>', 'where to write the plan (JSON)')
    .option('--json', 'print the per-group summary as one JSON object (last line of stdout)')
    .action((opts: PlanFlags) => {
      const models = resolveModels(opts.models, { rowScale: opts.rowScale, seed: opts.seed });
      const budget =
        opts.budgetBytes === undefined
          ? undefined
          : opts.budgetBytes.length === 1
            ? (opts.budgetBytes[0] as number)
            : opts.budgetBytes;
      const plan: ShardingPlan = planShards(models, {
        groups: opts.groups,
        replicas: opts.replicas,
        dtype: opts.dtype,
        ...(budget === undefined ? {} : { budgetBytes: budget }),
        ...(opts.maxPartitionBytes === undefined
          ? {}
          : { maxPartitionBytes: opts.maxPartitionBytes }),
      });
      writeFileSync(opts.out, `${JSON.stringify(plan, null, 2)}\n`);
      const loads = planLoads(plan, models, budget);
      info(
        `plan: ${plan.groups.length} group(s) x ${opts.replicas} replica(s) written to ${opts.out}`,
      );
      if (opts.json === true) {
        printJson({ out: opts.out, dtype: plan.dtype, groups: loads });
        return;
      }
      process.stdout.write(
        `${table([
          ['GROUP', 'REPLICAS', 'PARTITIONS', 'TABLE BYTES', 'BUDGET', 'GATHERED B/ITEM'],
          ...loads.map((l) => [
            l.id,
            String(opts.replicas),
            String(l.partitions),
            gb(l.bytes),
            gb(l.budgetBytes),
            String(Math.round(l.gatheredBytesPerItem)),
          ]),
        ])}\n`,
      );
    });
}

/** `recmesh plan`: sharding plans. */
export function planCommand(): Command {
  return new Command('plan')
    .description('plans: shards, pipeline (RecPipe search)')
    .addCommand(shardsCommand())
    .addCommand(planPipelineCommand());
}
