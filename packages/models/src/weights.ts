import { invalidArgument } from '@recmesh/errors';
import { interactionWidth, type ModelSpec } from './model-spec';
import { fillNormal, fillUniform, streamKey } from './seeded';

/** What follows a layer: `none` is linear; `softmax` runs over the layer's outputs. */
export type Activation = 'relu' | 'sigmoid' | 'none' | 'softmax';

/** One fully connected layer, PyTorch's layout: weight is [outputs][inputs]. */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly activation: Activation;
}

/** A weight tensor that is not a fully connected layer (a GRU's, an attention matrix). */
export interface DenseTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * A model's dense weights: MLPs by name (DLRM: `bottom`, `top`; see each architecture's graph
 * builder for its names) and other tensors by name.
 */
export interface DenseWeights {
  readonly layers: Readonly<Record<string, readonly DenseLayer[]>>;
  readonly tensors: Readonly<Record<string, DenseTensor>>;
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
 * An MLP of `widths` after `inputs`, DLRM's initialisation: weight ~ normal(0, sqrt(2 / (m + n))),
 * bias ~ normal(0, sqrt(1 / n)) for a layer of m inputs and n outputs. `hidden` follows every
 * layer but the last, which `last` follows.
 */
function seededMlp(
  seed: number,
  name: string,
  inputs: number,
  widths: readonly number[],
  hidden: Activation,
  last: Activation,
): DenseLayer[] {
  const layers: DenseLayer[] = [];
  let m = inputs;
  widths.forEach((n, l) => {
    const weight = fillNormal(
      new Float32Array(n * m),
      streamKey(seed, `${name}:${l}:weight`),
      0,
      Math.sqrt(2 / (m + n)),
    );
    const bias = fillNormal(
      new Float32Array(n),
      streamKey(seed, `${name}:${l}:bias`),
      0,
      Math.sqrt(1 / n),
    );
    layers.push({
      inputs: m,
      outputs: n,
      weight,
      bias,
      activation: l === widths.length - 1 ? last : hidden,
    });
    m = n;
  });
  return layers;
}

/** PyTorch's GRU initialisation: every weight and bias uniform in +-1/sqrt(hidden). */
function seededGru(seed: number, name: string, inputs: number, hidden: number) {
  const bound = 1 / Math.sqrt(hidden);
  const fill = (part: string, dims: number[]): DenseTensor => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    return { dims, data: fillUniform(data, streamKey(seed, `${name}:${part}`), 0, bound) };
  };
  // ONNX GRU layout: W [1][3H][inputs], R [1][3H][H], B [1][6H]; gates z, r, h.
  return {
    [`${name}.W`]: fill('W', [1, 3 * hidden, inputs]),
    [`${name}.R`]: fill('R', [1, 3 * hidden, hidden]),
    [`${name}.B`]: fill('B', [1, 6 * hidden]),
  };
}

const last = (widths: readonly number[]) => widths[widths.length - 1] as number;

/**
 * Deterministic dense weights of a preset, from its seed: DLRM's initialisation for MLPs (see
 * seededMlp), PyTorch's for GRUs. Names by architecture:
 * - dlrm: `bottom`, `top` (ReLU; the top's last layer sigmoid);
 * - ncf: `mlp` (ReLU), `predict` (ReLU; last sigmoid);
 * - wide-deep: `deep` (ReLU; last linear), `wide` (one linear layer over the dense features);
 * - mt-wide-deep: `shared` (ReLU), `task.<k>` per task (ReLU; last sigmoid);
 * - din: `attention` (sigmoid; last linear, 1 wide), `top` (ReLU; last softmax);
 * - dien: tensors `gru1.{W,R,B}`, `attention.W` [hidden][dim], `gru2.{W,R,B}`; `top` (ReLU; last
 *   softmax).
 */
export function denseWeights(spec: ModelSpec): DenseWeights {
  const a = spec.architecture;
  const { seed, dim, denseFeatures } = spec;
  const tables = spec.tables.length;
  switch (a.kind) {
    case 'dlrm':
      return {
        layers: {
          bottom: seededMlp(seed, 'bottom', denseFeatures, a.bottomMlp, 'relu', 'relu'),
          top: seededMlp(seed, 'top', interactionWidth(spec), a.topMlp, 'relu', 'sigmoid'),
        },
        tensors: {},
      };
    case 'ncf':
      return {
        layers: {
          mlp: seededMlp(seed, 'mlp', 2 * dim, a.mlp, 'relu', 'relu'),
          predict: seededMlp(seed, 'predict', dim + last(a.mlp), a.predict, 'relu', 'sigmoid'),
        },
        tensors: {},
      };
    case 'wide-deep': {
      const layers: Record<string, DenseLayer[]> = {
        deep: seededMlp(seed, 'deep', denseFeatures + tables * dim, a.deepMlp, 'relu', 'none'),
      };
      if (denseFeatures > 0)
        layers.wide = seededMlp(seed, 'wide', denseFeatures, [1], 'none', 'none');
      return { layers, tensors: {} };
    }
    case 'mt-wide-deep': {
      const shared = seededMlp(
        seed,
        'shared',
        denseFeatures + tables * dim,
        a.sharedMlp,
        'relu',
        'relu',
      );
      const layers: Record<string, DenseLayer[]> = { shared };
      spec.tasks.forEach((_, k) => {
        layers[`task.${k}`] = seededMlp(
          seed,
          `task.${k}`,
          last(a.sharedMlp),
          a.taskMlp,
          'relu',
          'sigmoid',
        );
      });
      return { layers, tensors: {} };
    }
    case 'din':
      return {
        layers: {
          attention: seededMlp(
            seed,
            'attention',
            4 * dim,
            [...a.attentionMlp, 1],
            'sigmoid',
            'none',
          ),
          top: seededMlp(seed, 'top', 4 * dim, a.topMlp, 'relu', 'softmax'),
        },
        tensors: {},
      };
    case 'dien': {
      const h = a.hidden;
      const attention = fillNormal(
        new Float32Array(h * dim),
        streamKey(seed, 'attention:W'),
        0,
        Math.sqrt(2 / (h + dim)),
      );
      return {
        layers: { top: seededMlp(seed, 'top', h + 3 * dim, a.topMlp, 'relu', 'softmax') },
        tensors: {
          ...seededGru(seed, 'gru1', dim, h),
          'attention.W': { dims: [h, dim], data: attention },
          ...seededGru(seed, 'gru2', h, h),
        },
      };
    }
  }
}
