import { invalidArgument } from '@recmesh/errors';
import { interactionWidth, type ModelSpec } from './model-spec';
import { fillNormal, fillUniform, streamKey } from './seeded';

export type Activation = 'relu' | 'sigmoid';

/** One fully connected layer, PyTorch's layout: weight is [outputs][inputs]. */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly activation: Activation;
}

export interface DenseWeights {
  readonly bottom: readonly DenseLayer[];
  readonly top: readonly DenseLayer[];
}

function tableOf(spec: ModelSpec, table: number) {
  const t = spec.tables[table];
  if (t === undefined)
    throw invalidArgument('table', table, `${spec.name} has ${spec.tables.length} tables`);
  return t;
}

/**
 * Rows [rowStart, rowStart + out.length / dim) of table `table` written into `out`, float32
 * [rows][dim]. DLRM's initialisation: uniform(-sqrt(1/n), sqrt(1/n)) for a table of n rows.
 * Any slice equals the same rows of the whole table, so shards and loaders fill in chunks.
 */
export function fillTableRows(
  spec: ModelSpec,
  table: number,
  rowStart: number,
  out: Float32Array,
): Float32Array {
  const t = tableOf(spec, table);
  const rows = out.length / t.dim;
  if (!(
    Number.isInteger(rows) &&
    Number.isInteger(rowStart) &&
    0 <= rowStart &&
    rowStart + rows <= t.rows
  )) {
    throw invalidArgument(
      'rows',
      [rowStart, rowStart + rows],
      `not a row range of a ${t.rows}-row table of width ${t.dim}`,
    );
  }
  return fillUniform(
    out,
    streamKey(spec.seed, `table:${table}`),
    rowStart * t.dim,
    Math.sqrt(1 / t.rows),
  );
}

/** Rows [rowStart, rowEnd) of table `table`, float32 [rows][dim] (see fillTableRows). */
export function tableRows(
  spec: ModelSpec,
  table: number,
  rowStart = 0,
  rowEnd = spec.tables[table]?.rows ?? 0,
): Float32Array {
  const t = tableOf(spec, table);
  if (!(Number.isInteger(rowStart) && Number.isInteger(rowEnd) && rowStart <= rowEnd))
    throw invalidArgument('rows', [rowStart, rowEnd], `not a row range of a ${t.rows}-row table`);
  return fillTableRows(spec, table, rowStart, new Float32Array((rowEnd - rowStart) * t.dim));
}

/**
 * DLRM's MLP initialisation: weight ~ normal(0, sqrt(2 / (m + n))), bias ~ normal(0, sqrt(1 / n))
 * for a layer of m inputs and n outputs. ReLU after every bottom layer; ReLU after every top
 * layer but the last, which is the sigmoid.
 */
export function denseWeights(spec: ModelSpec): DenseWeights {
  const mlp = (name: string, inputs: number, widths: readonly number[], lastSigmoid: boolean) => {
    const layers: DenseLayer[] = [];
    let m = inputs;
    widths.forEach((n, l) => {
      const weight = fillNormal(
        new Float32Array(n * m),
        streamKey(spec.seed, `${name}:${l}:weight`),
        0,
        Math.sqrt(2 / (m + n)),
      );
      const bias = fillNormal(
        new Float32Array(n),
        streamKey(spec.seed, `${name}:${l}:bias`),
        0,
        Math.sqrt(1 / n),
      );
      const activation: Activation = lastSigmoid && l === widths.length - 1 ? 'sigmoid' : 'relu';
      layers.push({ inputs: m, outputs: n, weight, bias, activation });
      m = n;
    });
    return layers;
  };
  return {
    bottom: mlp('bottom', spec.denseFeatures, spec.bottomMlp, false),
    top: mlp('top', interactionWidth(spec), spec.topMlp, true),
  };
}
