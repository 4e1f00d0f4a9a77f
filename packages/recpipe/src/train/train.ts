import { invalidArgument } from '@recmesh/errors';
import { resolveModel, type ModelSpec } from '@recmesh/models';
import { Rng } from '@recmesh/workload';
import { DENSE_FEATURES } from '../dataset-config';
import { auc, logLoss } from '../metrics';
import type { Samples } from '../samples';
import type { World } from '../world';
import { adamStep } from './layer';
import { DlrmNet } from './dlrm-net';

/** Training settings; each default is what `recmesh pipeline prepare` uses. */
export interface TrainOptions {
  /** Passes over the training samples. Default 2. */
  readonly epochs: number;
  /** Samples per Adam step of the MLPs. Default 128. */
  readonly batchSize: number;
  /** Adam learning rate of the MLPs. Default 0.002. */
  readonly lr: number;
  /** Row-wise Adagrad learning rate of the embedding rows. Default 0.05. */
  readonly embLr: number;
  /** Seed of the initial weights and of the sample order. Default 1. */
  readonly seed: number;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  epochs: 2,
  batchSize: 128,
  lr: 0.002,
  embLr: 0.05,
  seed: 1,
};

/** Held-out accuracy of a model. */
export interface Accuracy {
  readonly logLoss: number;
  readonly auc: number;
}

export interface EpochReport extends Accuracy {
  readonly epoch: number;
  readonly trainLogLoss: number;
  readonly seconds: number;
}

/**
 * The spec of RecPipe model `preset` (rm-small, rm-med, rm-large) on the world's tables: the
 * preset's dense architecture and dim, the data set's row counts.
 */
export function recpipeSpec(preset: string, world: World, name = preset, seed = 1): ModelSpec {
  const base = resolveModel(preset, { rowScale: 1, seed });
  if (base.denseFeatures !== DENSE_FEATURES || base.tables.length !== world.tableRows.length)
    throw invalidArgument(
      'model',
      preset,
      'not a Criteo-shaped model (13 dense features, 26 tables)',
    );
  return {
    ...base,
    name,
    tables: world.tableRows.map((rows) => ({
      rows,
      dim: base.dim,
      pool: 1,
      pooling: 'sum' as const,
    })),
  };
}

/** Predicted click probabilities of `samples`. */
export function predict(net: DlrmNet, samples: Samples): Float32Array {
  const out = new Float32Array(samples.count);
  const T = net.spec.tables.length;
  for (let r = 0; r < samples.count; r++)
    out[r] = 1 / (1 + Math.exp(-net.logit(samples.dense, r * DENSE_FEATURES, samples.ids, r * T)));
  return out;
}

export function evaluate(net: DlrmNet, samples: Samples): Accuracy {
  const p = predict(net, samples);
  return { logLoss: logLoss(p, samples.labels), auc: auc(p, samples.labels) };
}

/**
 * Trains `spec` on `train` with binary cross-entropy: Adam on the MLPs every batchSize samples,
 * row-wise Adagrad on each embedding row as its sample is seen; samples shuffled per epoch.
 * Reports held-out accuracy on `test` after each epoch.
 */
export function trainDlrm(
  spec: ModelSpec,
  train: Samples,
  test: Samples,
  partial: Partial<TrainOptions> = {},
  onEpoch: (report: EpochReport) => void = () => undefined,
): { net: DlrmNet; epochs: EpochReport[] } {
  const o = { ...TRAIN_DEFAULTS, ...partial };
  for (const f of ['epochs', 'batchSize'] as const)
    if (!(Number.isInteger(o[f]) && o[f] > 0)) throw invalidArgument(f, o[f], 'a positive integer');
  for (const f of ['lr', 'embLr'] as const)
    if (!(o[f] > 0)) throw invalidArgument(f, o[f], 'must be > 0');
  const net = new DlrmNet(spec);
  const T = spec.tables.length;
  const rng = new Rng(o.seed ^ 0x5bd1e995);
  const order = new Uint32Array(train.count);
  const epochs: EpochReport[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const started = performance.now();
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    let loss = 0;
    let inBatch = 0;
    for (const r of order) {
      const z = net.logit(train.dense, r * DENSE_FEATURES, train.ids, r * T);
      const p = 1 / (1 + Math.exp(-z));
      const y = train.labels[r] as number;
      loss -= y > 0 ? Math.log(Math.max(p, 1e-7)) : Math.log(Math.max(1 - p, 1e-7));
      net.backward(p - y, train.ids, r * T, o.embLr);
      if (++inBatch === o.batchSize) {
        step++;
        for (const l of [...net.bottom, ...net.top]) adamStep(l, o.lr, step, inBatch);
        inBatch = 0;
      }
    }
    if (inBatch > 0) {
      step++;
      for (const l of [...net.bottom, ...net.top]) adamStep(l, o.lr, step, inBatch);
    }
    const report = {
      epoch,
      trainLogLoss: loss / train.count,
      ...evaluate(net, test),
      seconds: (performance.now() - started) / 1000,
    };
    epochs.push(report);
    onEpoch(report);
  }
  return { net, epochs };
}
