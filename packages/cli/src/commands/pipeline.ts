import { Command, Option } from 'commander';
import {
  prepareRepository,
  TRAIN_DEFAULTS,
  PREPARE_DEFAULTS,
  RECPIPE_MODELS,
} from '@recmesh/recpipe';
import { num } from '../mesh-options';
import { info, printJson, r3, r6, table } from '../output';

interface PrepareFlags {
  repository: string;
  seed: number;
  trainSamples: number;
  testSamples: number;
  epochs: number;
  models: string;
  json?: boolean;
}

const int = (flag: string, min = 1) => num(flag, { int: true, min });

function prepareCommand(): Command {
  return new Command('prepare')
    .description(
      'generate the synthetic Criteo-shaped data set (planted relevance), train RM-small, RM-med and RM-large on it, and write them with the pipelines single-large and two-stage to a model repository',
    )
    .requiredOption('--repository <dir>', 'model repository to write (created if missing)')
    .addOption(
      new Option('--seed <n>', 'seed of the data set').default(1).argParser(int('--seed', 0)),
    )
    .addOption(
      new Option('--train-samples <n>', 'training impressions')
        .default(PREPARE_DEFAULTS.trainSamples)
        .argParser(int('--train-samples')),
    )
    .addOption(
      new Option('--test-samples <n>', 'held-out impressions')
        .default(PREPARE_DEFAULTS.testSamples)
        .argParser(int('--test-samples', 100)),
    )
    .addOption(
      new Option('--epochs <n>', 'passes over the training impressions')
        .default(TRAIN_DEFAULTS.epochs)
        .argParser(int('--epochs')),
    )
    .option('--models <list>', 'models to train', RECPIPE_MODELS.join(','))
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(async (opts: PrepareFlags) => {
      const started = performance.now();
      const record = await prepareRepository(
        opts.repository,
        {
          data: { seed: opts.seed },
          train: { epochs: opts.epochs },
          trainSamples: opts.trainSamples,
          testSamples: opts.testSamples,
          models: opts.models.split(',').map((m) => m.trim()),
        },
        info,
      );
      const seconds = (performance.now() - started) / 1000;
      const models = record.models.map((m) => ({
        model: m.model,
        held_out_log_loss: r6(m.heldOutLogLoss),
        held_out_auc: r6(m.heldOutAuc),
        train_seconds: r3(m.trainSeconds),
      }));
      if (opts.json === true) {
        printJson({
          repository: opts.repository,
          seed: opts.seed,
          train_samples: record.trainSamples,
          test_samples: record.testSamples,
          base_click_rate: r3(record.baseClickRate),
          bayes: {
            held_out_log_loss: r6(record.bayes.heldOutLogLoss),
            held_out_auc: r6(record.bayes.heldOutAuc),
          },
          models,
          pipelines: ['single-large', 'two-stage'],
          seconds: r3(seconds),
        });
        return;
      }
      process.stdout.write(
        `${table([
          ['MODEL', 'HELD-OUT LOG LOSS', 'HELD-OUT AUC', 'TRAIN S'],
          ...models.map((m) => [
            m.model,
            String(m.held_out_log_loss),
            String(m.held_out_auc),
            String(m.train_seconds),
          ]),
          [
            '(planted p)',
            String(r3(record.bayes.heldOutLogLoss)),
            String(r3(record.bayes.heldOutAuc)),
            '',
          ],
        ])}\nwritten to ${opts.repository} with the pipelines single-large and two-stage (${r3(seconds)} s)\n`,
      );
    });
}

/** `recmesh pipeline`: RecPipe's multi-stage pipelines. */
export function pipelineCommand(): Command {
  return new Command('pipeline')
    .description('multi-stage ranking pipelines (RecPipe): prepare data, models and pipelines')
    .addCommand(prepareCommand());
}
