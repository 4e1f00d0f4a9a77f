/**
 * An independent DLRM forward pass in plain TypeScript and float64, written from the DLRM
 * reference (dlrm_s_pytorch.py: apply_mlp, interact_features, sigmoid) and sharing nothing with
 * the ONNX graph builder: the mesh's scores are checked against it.
 */
import { denseWeights, tableRows, type DenseLayer, type ModelSpec } from '@recmesh/models';

export interface ReferenceSample {
  readonly dense: ArrayLike<number>;
  /** Per table, the row ids of this sample's bag. */
  readonly bags: readonly ArrayLike<number>[];
}

function linear(layer: DenseLayer, x: Float64Array): Float64Array {
  const y = new Float64Array(layer.outputs);
  for (let o = 0; o < layer.outputs; o++) {
    let s = layer.bias[o] as number;
    const row = o * layer.inputs;
    for (let i = 0; i < layer.inputs; i++)
      s += (layer.weight[row + i] as number) * (x[i] as number);
    y[o] = layer.activation === 'relu' ? Math.max(0, s) : 1 / (1 + Math.exp(-s));
  }
  return y;
}

export class ReferenceDlrm {
  private readonly tables: Float32Array[];
  private readonly weights: ReturnType<typeof denseWeights>;

  constructor(readonly spec: ModelSpec) {
    this.tables = spec.tables.map((_, t) => tableRows(spec, t));
    this.weights = denseWeights(spec);
  }

  pooled(table: number, bag: ArrayLike<number>): Float64Array {
    const d = this.spec.dim;
    const data = this.tables[table] as Float32Array;
    const out = new Float64Array(d);
    for (let i = 0; i < bag.length; i++) {
      const r = (bag[i] as number) * d;
      for (let k = 0; k < d; k++) out[k] = (out[k] as number) + (data[r + k] as number);
    }
    return out;
  }

  score(sample: ReferenceSample): number {
    let x: Float64Array = Float64Array.from(sample.dense);
    for (const layer of this.weights.bottom) x = linear(layer, x);
    const ly = sample.bags.map((bag, t) => this.pooled(t, bag));
    let r: number[];
    if (this.spec.interaction === 'cat') {
      r = [...x, ...ly.flatMap((v) => [...v])];
    } else {
      // T = [x, ly_0, ..., ly_{n-1}]; Z = T T^T; keep Z[i][j] for j < i, i outer.
      const vecs = [x, ...ly];
      const pairs: number[] = [];
      for (let i = 0; i < vecs.length; i++) {
        for (let j = 0; j < i; j++) {
          let s = 0;
          const a = vecs[i] as Float64Array;
          const b = vecs[j] as Float64Array;
          for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
          pairs.push(s);
        }
      }
      r = [...x, ...pairs];
    }
    let z: Float64Array = Float64Array.from(r);
    for (const layer of this.weights.top) z = linear(layer, z);
    return z[0] as number;
  }
}
