/**
 * Float64 building blocks of the independent forward passes (reference-*.ts), written from the
 * papers' equations and sharing nothing with the ONNX graph builders.
 */
import {
  denseWeights,
  tableRows,
  type DenseLayer,
  type DenseWeights,
  type ModelSpec,
} from '@recmesh/models';

export type Vec = Float64Array;

export interface ReferenceSample {
  readonly dense: ArrayLike<number>;
  /** Per table, the row ids of this sample's bag. */
  readonly bags: readonly ArrayLike<number>[];
}

/** A model's forward pass: per sample, one score per task. */
export interface ReferenceModel {
  scores(sample: ReferenceSample): number[];
}

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

export function softmax(v: readonly number[] | Vec): number[] {
  const max = Math.max(...v);
  const e = Array.from(v, (x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** One layer: x W^T + b, then its activation. */
export function linear(layer: DenseLayer, x: ArrayLike<number>): Vec {
  const y = new Float64Array(layer.outputs);
  for (let o = 0; o < layer.outputs; o++) {
    let s = layer.bias[o] as number;
    const row = o * layer.inputs;
    for (let i = 0; i < layer.inputs; i++)
      s += (layer.weight[row + i] as number) * (x[i] as number);
    y[o] = s;
  }
  switch (layer.activation) {
    case 'relu':
      return y.map((v) => Math.max(0, v));
    case 'sigmoid':
      return y.map(sigmoid);
    case 'softmax':
      return Float64Array.from(softmax(y));
    case 'none':
      return y;
  }
}

export function mlp(layers: readonly DenseLayer[] | undefined, x: ArrayLike<number>): Vec {
  if (layers === undefined) throw new Error('reference: missing MLP');
  let h: Vec = Float64Array.from(x as ArrayLike<number>);
  for (const layer of layers) h = linear(layer, h);
  return h;
}

export const concat = (...parts: ArrayLike<number>[]): Vec =>
  Float64Array.from(parts.flatMap((p) => Array.from(p)));

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
  return s;
}

/** Tables as float32 [rows][dim] each: given (imported models) or the preset's seeded rows. */
export class PooledTables {
  private readonly data: Float32Array[];

  constructor(
    readonly spec: ModelSpec,
    tables?: readonly Float32Array[],
  ) {
    this.data = tables !== undefined ? [...tables] : spec.tables.map((_, t) => tableRows(spec, t));
  }

  /** Sum of the bag's rows, float64; their mean for a mean-pooled table (EmbeddingBag's mode). */
  pooled(table: number, bag: ArrayLike<number>): Vec {
    const d = this.spec.dim;
    const data = this.data[table] as Float32Array;
    const out = new Float64Array(d);
    for (let i = 0; i < bag.length; i++) {
      const r = (bag[i] as number) * d;
      for (let k = 0; k < d; k++) out[k] = (out[k] as number) + (data[r + k] as number);
    }
    if (this.spec.tables[table]?.pooling === 'mean' && bag.length > 0)
      for (let k = 0; k < d; k++) out[k] = (out[k] as number) / bag.length;
    return out;
  }

  all(sample: ReferenceSample): Vec[] {
    return sample.bags.map((bag, t) => this.pooled(t, bag));
  }
}

/** A forward pass over a spec's weights (the preset's seeded ones unless given) and tables. */
export abstract class ReferenceBase implements ReferenceModel {
  protected readonly tables: PooledTables;

  constructor(
    readonly spec: ModelSpec,
    protected readonly weights: DenseWeights = denseWeights(spec),
    tables?: readonly Float32Array[],
  ) {
    this.tables = new PooledTables(spec, tables);
  }

  abstract scores(sample: ReferenceSample): number[];
}
