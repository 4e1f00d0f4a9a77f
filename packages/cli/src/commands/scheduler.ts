import { Command, Option } from 'commander';
import { SchedulerClient } from '@recmesh/client';
import type { SchedulerState, SchedulerStates } from '@recmesh/proto';
import { num } from '../mesh-options';
import { info, printJson, r3, table } from '../output';

interface TargetFlags {
  target: string;
  model: string;
  json?: boolean;
}

const threshold = (t: number) => (t < 0 ? '-' : String(t));
const parseThreshold = num('--offload-threshold', { int: true, min: 1 });

function print(states: SchedulerStates, json: boolean | undefined): void {
  const rows = states.models.map((s: SchedulerState) => [
    s.model,
    s.policy,
    s.phase,
    String(s.batchSize),
    threshold(s.offloadThreshold),
    String(r3(s.p95Ms)),
    String(s.targetP95Ms),
    String(r3(s.qps)),
    String(s.retunes),
    String(s.shed),
  ]);
  info(
    table([
      ['model', 'policy', 'phase', 'batch', 'offload', 'p95 ms', 'target', 'qps', 'climbs', 'shed'],
      ...rows,
    ]),
  );
  if (json === true) printJson({ models: states.models });
}

const targetOptions = (c: Command) =>
  c
    .addOption(new Option('--target <host:port>', 'the orchestrator').default('127.0.0.1:50051'))
    .addOption(new Option('--model <name>', 'one model (default: all)').default(''))
    .option('--json', 'print the state as one JSON object (last line of stdout)');

/** `recmesh scheduler state|set`: the orchestrator's scheduler, through its SchedulerService. */
export function schedulerCommand(): Command {
  const state = targetOptions(
    new Command('state').description(
      "each model's scheduler: policy, phase, batch size, offload threshold, the last window's p95 and QPS",
    ),
  )
    .addOption(
      new Option('--watch <s>', 'print again every s seconds until interrupted').argParser(
        num('--watch', { min: 0.1 }),
      ),
    )
    .action(async (opts: TargetFlags & { watch?: number }) => {
      const client = new SchedulerClient(opts.target);
      try {
        for (;;) {
          print(await client.getState(opts.model), opts.json);
          if (opts.watch === undefined) return;
          await new Promise((r) => setTimeout(r, (opts.watch as number) * 1000));
        }
      } finally {
        client.close();
      }
    });
  const set = targetOptions(
    new Command('set').description(
      'change the policy, batch size, offload threshold or p95 target (deeprecsched starts a new climb)',
    ),
  )
    .addOption(new Option('--policy <p>', 'scheduling policy').choices(['static', 'deeprecsched']))
    .addOption(
      new Option(
        '--batch-size <n>',
        'items per batch (static), or where the climb starts',
      ).argParser(num('--batch-size', { int: true, min: 1 })),
    )
    .addOption(
      new Option(
        '--offload-threshold <n>',
        'queries of this many items go to the accelerator pool (none: no offload)',
      ).argParser((v) => (v === 'none' ? -1 : parseThreshold(v))),
    )
    .addOption(
      new Option('--target-p95-ms <ms>', 'p95 target').argParser(
        num('--target-p95-ms', { min: 0.001 }),
      ),
    )
    .action(
      async (
        opts: TargetFlags & {
          policy?: string;
          batchSize?: number;
          offloadThreshold?: number;
          targetP95Ms?: number;
        },
      ) => {
        const client = new SchedulerClient(opts.target);
        try {
          print(
            await client.configure({
              model: opts.model,
              ...(opts.policy === undefined ? {} : { policy: opts.policy }),
              ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
              ...(opts.offloadThreshold === undefined
                ? {}
                : { offloadThreshold: opts.offloadThreshold }),
              ...(opts.targetP95Ms === undefined ? {} : { targetP95Ms: opts.targetP95Ms }),
            }),
            opts.json,
          );
        } finally {
          client.close();
        }
      },
    );
  return new Command('scheduler')
    .description("the orchestrator's DeepRecSched scheduler: watch its tuned state, or change it")
    .addCommand(state)
    .addCommand(set);
}
