#!/usr/bin/env node
// The recmesh command.
import { Command } from 'commander';
import { isRecmeshError } from '@recmesh/errors';
import { benchCommand } from './commands/bench';
import { carbonCommand } from './commands/carbon';
import { demoCommand } from './commands/demo';
import { importCommand } from './commands/import';
import { modelsCommand } from './commands/models';
import { pipelineCommand } from './commands/pipeline';
import { planCommand } from './commands/plan';
import { rankCommand } from './commands/rank';
import { schedulerCommand } from './commands/scheduler';
import { scoreCommand } from './commands/score';
import { upCommand } from './commands/up';

const program = new Command('recmesh')
  .description(
    'serve DLRM-family recommendation models as a gRPC mesh, fast under tail-latency targets, with a carbon receipt per query',
  )
  .version('0.1.0')
  .addCommand(upCommand())
  .addCommand(rankCommand())
  .addCommand(scoreCommand())
  .addCommand(importCommand())
  .addCommand(modelsCommand())
  .addCommand(demoCommand())
  .addCommand(pipelineCommand())
  .addCommand(planCommand())
  .addCommand(schedulerCommand())
  .addCommand(benchCommand())
  .addCommand(carbonCommand());

program.parseAsync(process.argv).then(
  // A command that finished but found trouble (a refused model version) sets exitCode.
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    const e = err as { code?: unknown; details?: unknown; message?: string };
    const message = isRecmeshError(err)
      ? err.message
      : typeof e.details === 'string'
        ? `${String(e.code)}: ${e.details}`
        : (e.message ?? String(err));
    process.stderr.write(`recmesh: ${message}\n`);
    process.exit(1);
  },
);
