import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RecmeshError, invalidArgument } from '@recmesh/errors';
import { writePipeline, writeVersion, type PipelineInput } from '@recmesh/model-repository';
import { buildDenseGraph } from '@recmesh/models';
import { dataConfig, type DataConfig } from './dataset-config';
import { logLoss, auc } from './metrics';
import { drawSamples } from './samples';
import {
  recpipeSpec,
  trainDlrm,
  TRAIN_DEFAULTS,
  type EpochReport,
  type TrainOptions,
} from './train/train';
import { buildWorld, type World } from './world';

/** RecPipe's three models, lightest first. */
export const RECPIPE_MODELS = ['rm-small', 'rm-med', 'rm-large'] as const;

/** What `prepare` records at the repository's root: how to rebuild the data set, and the models' accuracy. */
export const DATASET_FILE = 'recpipe-data.json';
export const DATASET_FORMAT = 'recmesh.recpipe-data/v1';

export interface PrepareOptions {
  readonly data: Partial<DataConfig>;
  readonly train: Partial<TrainOptions>;
  /** Training impressions. Default 100,000. */
  readonly trainSamples: number;
  /** Held-out impressions. Default 20,000. */
  readonly testSamples: number;
  /** Models to train (default all three). */
  readonly models: readonly string[];
}

export const PREPARE_DEFAULTS: PrepareOptions = {
  data: {},
  train: {},
  trainSamples: 100_000,
  testSamples: 20_000,
  models: RECPIPE_MODELS,
};

export interface ModelReport {
  readonly model: string;
  readonly version: number;
  readonly heldOutLogLoss: number;
  readonly heldOutAuc: number;
  readonly trainSeconds: number;
  readonly epochs: readonly EpochReport[];
}

export interface DatasetRecord {
  readonly format: typeof DATASET_FORMAT;
  readonly data: DataConfig;
  readonly train: TrainOptions;
  readonly trainSamples: number;
  readonly testSamples: number;
  /** Held-out loss and AUC of the planted probabilities themselves: the best any model can do. */
  readonly bayes: { readonly heldOutLogLoss: number; readonly heldOutAuc: number };
  readonly baseClickRate: number;
  readonly models: readonly ModelReport[];
}

/** The two pipelines every prepared repository ships. */
export const DEFAULT_PIPELINES: readonly PipelineInput[] = [
  {
    format: 'recmesh.pipeline/v1',
    name: 'single-large',
    version: 1,
    description: 'RM-large ranks every candidate and returns 64 (the single-stage baseline)',
    stages: [{ model: 'rm-large', keep: 64, backend: 'auto' }],
  },
  {
    format: 'recmesh.pipeline/v1',
    name: 'two-stage',
    version: 1,
    description:
      'RM-small filters the candidates to 256; RM-large ranks those and returns 64 (RecPipe)',
    stages: [
      { model: 'rm-small', keep: 256, backend: 'auto' },
      { model: 'rm-large', keep: 64, backend: 'auto' },
    ],
  },
];

/**
 * Generates the data set, trains RM-small, RM-med and RM-large on it (held-out log loss and AUC
 * of each), and writes them to `repository` as version 1 of each model (tables as .npy, the
 * dense graph built by @recmesh/models from the trained weights), with the pipelines
 * `single-large` and `two-stage` and recpipe-data.json.
 */
export async function prepareRepository(
  repository: string,
  partial: Partial<PrepareOptions> = {},
  log: (line: string) => void = () => undefined,
): Promise<DatasetRecord> {
  const o = { ...PREPARE_DEFAULTS, ...partial };
  const root = resolve(repository);
  const data = dataConfig(o.data);
  const train = { ...TRAIN_DEFAULTS, ...o.train };
  for (const m of o.models)
    if (!(RECPIPE_MODELS as readonly string[]).includes(m))
      throw invalidArgument('models', m, `one of ${RECPIPE_MODELS.join(', ')}`);
  const world = buildWorld(data);
  const trainSet = drawSamples(world, o.trainSamples, 0);
  const testSet = drawSamples(world, o.testSamples, 1);
  const baseClickRate = trainSet.labels.reduce((a, b) => a + b, 0) / trainSet.count;
  log(
    `data: ${o.trainSamples} training and ${o.testSamples} held-out impressions, click rate ${baseClickRate.toFixed(3)}, tables ${world.tableRows.join(',')}`,
  );
  const models: ModelReport[] = [];
  for (const name of o.models) {
    const spec = recpipeSpec(name, world, name, train.seed);
    const started = performance.now();
    const { net, epochs } = trainDlrm(spec, trainSet, testSet, train, (r) =>
      log(
        `${name} epoch ${r.epoch}: train loss ${r.trainLogLoss.toFixed(4)}, held-out loss ${r.logLoss.toFixed(4)}, AUC ${r.auc.toFixed(4)} (${r.seconds.toFixed(1)} s)`,
      ),
    );
    const final = epochs[epochs.length - 1] as EpochReport;
    const report: ModelReport = {
      model: name,
      version: 1,
      heldOutLogLoss: final.logLoss,
      heldOutAuc: final.auc,
      trainSeconds: (performance.now() - started) / 1000,
      epochs,
    };
    await writeVersion(join(root, name, '1'), {
      name,
      version: 1,
      description: `${spec.name} trained by recmesh pipeline prepare on the synthetic Criteo-shaped data set (seed ${data.seed})`,
      architecture: spec.architecture,
      denseFeatures: spec.denseFeatures,
      dim: spec.dim,
      tables: net.tables,
      denseOnnx: buildDenseGraph(spec, net.denseWeights()),
      p95TargetMs: spec.targets.medium,
      source: {
        trainer: 'recmesh pipeline prepare',
        heldOutLogLoss: final.logLoss,
        heldOutAuc: final.auc,
      },
    });
    models.push(report);
  }
  for (const p of DEFAULT_PIPELINES) writePipeline(root, p);
  const record: DatasetRecord = {
    format: DATASET_FORMAT,
    data,
    train,
    trainSamples: o.trainSamples,
    testSamples: o.testSamples,
    bayes: {
      heldOutLogLoss: logLoss(testSet.truth, testSet.labels),
      heldOutAuc: auc(testSet.truth, testSet.labels),
    },
    baseClickRate,
    models,
  };
  writeFileSync(join(root, DATASET_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** The data set record of a prepared repository, and its world rebuilt from it. */
export function readPrepared(repository: string): { record: DatasetRecord; world: World } {
  const file = join(resolve(repository), DATASET_FILE);
  if (!existsSync(file))
    throw new RecmeshError(
      'failed_precondition',
      `${file}: missing; run \`recmesh pipeline prepare --repository ${repository}\` first`,
    );
  const record = JSON.parse(readFileSync(file, 'utf8')) as DatasetRecord;
  if (record.format !== DATASET_FORMAT)
    throw invalidArgument(`${file}: format`, record.format, `expected ${DATASET_FORMAT}`);
  return { record, world: buildWorld(record.data) };
}
