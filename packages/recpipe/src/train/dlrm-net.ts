import { invalidArgument } from '@recmesh/errors';
import {
  denseWeights,
  dotPairs,
  tableRows,
  type DenseLayer,
  type DenseWeights,
  type ModelSpec,
} from '@recmesh/models';
import { backward, forward, trainLayer, type TrainLayer } from './layer';

/**
 * Back through an MLP, last layer first: grads[k + 1] is d loss / d output of layer k; grads[0]
 * (d loss / d input) is written only when `inputGrad`.
 */
function backwardMlp(
  layers: readonly TrainLayer[],
  acts: readonly Float32Array[],
  grads: readonly Float32Array[],
  inputGrad: boolean,
): void {
  for (let k = layers.length - 1; k >= 0; k--)
    backward(
      layers[k] as TrainLayer,
      acts[k] as Float32Array,
      acts[k + 1] as Float32Array,
      grads[k + 1] as Float32Array,
      k > 0 || inputGrad ? (grads[k] as Float32Array) : undefined,
    );
}

/**
 * A DLRM with the dot interaction (Naumov et al. 2019), in plain TypeScript for training on a
 * CPU: bottom MLP over the dense features, pairwise dot products of [bottom output, e_0 ..
 * e_{T-1}] below the diagonal (the DLRM reference's order, as the ONNX graph computes them), the
 * top MLP, a sigmoid. Weights start as the preset's (DLRM's initialisation, from the spec's seed).
 */
export class DlrmNet {
  readonly bottom: TrainLayer[];
  readonly top: TrainLayer[];
  readonly tables: Float32Array[];
  /** Row-wise Adagrad state: one accumulated squared gradient per row (FBGEMM's rowwise Adagrad). */
  readonly rowState: Float32Array[];
  /** The dot interaction's pairs (i, j), j < i, in the DLRM reference's order. */
  private readonly pairI: Int32Array;
  private readonly pairJ: Int32Array;
  private readonly bottomActs: Float32Array[];
  private readonly topActs: Float32Array[];
  private readonly bottomGrads: Float32Array[];
  private readonly topGrads: Float32Array[];
  private readonly vectors: Float32Array;
  private readonly dVectors: Float32Array;

  constructor(readonly spec: ModelSpec) {
    const a = spec.architecture;
    if (a.kind !== 'dlrm' || a.interaction !== 'dot' || spec.tasks.length !== 1)
      throw invalidArgument(
        'architecture',
        spec.name,
        'the trainer trains one-task DLRMs with the dot interaction',
      );
    const init = denseWeights(spec);
    this.bottom = (init.layers.bottom ?? []).map(trainLayer);
    this.top = (init.layers.top ?? []).map(trainLayer);
    this.tables = spec.tables.map((_, t) => tableRows(spec, t));
    this.rowState = spec.tables.map((t) => new Float32Array(t.rows));
    const n = spec.tables.length + 1;
    const pairs = dotPairs(spec.tables.length);
    this.pairI = Int32Array.from(pairs, (flat) => Math.floor(flat / n));
    this.pairJ = Int32Array.from(pairs, (flat) => flat % n);
    const widths = (layers: TrainLayer[]) => [
      layers[0]?.inputs ?? 0,
      ...layers.map((l) => l.outputs),
    ];
    this.bottomActs = widths(this.bottom).map((w) => new Float32Array(w));
    this.topActs = widths(this.top).map((w) => new Float32Array(w));
    this.bottomGrads = widths(this.bottom).map((w) => new Float32Array(w));
    this.topGrads = widths(this.top).map((w) => new Float32Array(w));
    this.vectors = new Float32Array(n * spec.dim);
    this.dVectors = new Float32Array(n * spec.dim);
  }

  /** The click logit of one sample: dense [13] and ids [T] at the given offsets. */
  logit(dense: Float32Array, denseAt: number, ids: Int32Array, idsAt: number): number {
    const D = this.spec.dim;
    const n = this.spec.tables.length + 1;
    const bottomIn = this.bottomActs[0] as Float32Array;
    bottomIn.set(dense.subarray(denseAt, denseAt + bottomIn.length));
    this.bottom.forEach((l, k) =>
      forward(l, this.bottomActs[k] as Float32Array, this.bottomActs[k + 1] as Float32Array),
    );
    const v = this.vectors;
    v.set(this.bottomActs[this.bottom.length] as Float32Array, 0);
    for (let t = 0; t < n - 1; t++) {
      const row = ids[idsAt + t] as number;
      v.set((this.tables[t] as Float32Array).subarray(row * D, (row + 1) * D), (t + 1) * D);
    }
    const z = this.topActs[0] as Float32Array;
    z.set(v.subarray(0, D), 0);
    for (let p = 0; p < this.pairI.length; p++) {
      const i = this.pairI[p] as number;
      const j = this.pairJ[p] as number;
      let s = 0;
      for (let d = 0; d < D; d++) s += (v[i * D + d] as number) * (v[j * D + d] as number);
      z[D + p] = s;
    }
    this.top.forEach((l, k) =>
      forward(l, this.topActs[k] as Float32Array, this.topActs[k + 1] as Float32Array),
    );
    return (this.topActs[this.top.length] as Float32Array)[0] as number;
  }

  /**
   * Back-propagates d loss / d logit of the sample `logit` last ran: MLP gradients accumulate
   * (for adamStep), embedding rows are updated at once with row-wise Adagrad at `embLr`.
   */
  backward(dLogit: number, ids: Int32Array, idsAt: number, embLr: number): void {
    const D = this.spec.dim;
    const n = this.spec.tables.length + 1;
    const topOut = this.topGrads[this.top.length] as Float32Array;
    topOut[0] = dLogit;
    backwardMlp(this.top, this.topActs, this.topGrads, true);
    const dz = this.topGrads[0] as Float32Array;
    const v = this.vectors;
    const dv = this.dVectors;
    dv.fill(0);
    for (let d = 0; d < D; d++) dv[d] = dz[d] as number;
    for (let p = 0; p < this.pairI.length; p++) {
      const g = dz[D + p] as number;
      if (g === 0) continue;
      const i = this.pairI[p] as number;
      const j = this.pairJ[p] as number;
      for (let d = 0; d < D; d++) {
        dv[i * D + d] = (dv[i * D + d] as number) + g * (v[j * D + d] as number);
        dv[j * D + d] = (dv[j * D + d] as number) + g * (v[i * D + d] as number);
      }
    }
    const bottomOut = this.bottomGrads[this.bottom.length] as Float32Array;
    bottomOut.set(dv.subarray(0, D));
    backwardMlp(this.bottom, this.bottomActs, this.bottomGrads, false);
    for (let t = 0; t < n - 1; t++) {
      const row = ids[idsAt + t] as number;
      const table = this.tables[t] as Float32Array;
      const state = this.rowState[t] as Float32Array;
      let sq = 0;
      for (let d = 0; d < D; d++) sq += (dv[(t + 1) * D + d] as number) ** 2;
      const acc = (state[row] as number) + sq / D;
      state[row] = acc;
      const step = embLr / (Math.sqrt(acc) + 1e-8);
      for (let d = 0; d < D; d++)
        table[row * D + d] =
          (table[row * D + d] as number) - step * (dv[(t + 1) * D + d] as number);
    }
  }

  /** The trained dense weights in @recmesh/models' layout (for buildDenseGraph). */
  denseWeights(): DenseWeights {
    const out = (layers: TrainLayer[], lastSigmoid: boolean): DenseLayer[] =>
      layers.map((l, k) => ({
        inputs: l.inputs,
        outputs: l.outputs,
        weight: Float32Array.from(l.weight),
        bias: Float32Array.from(l.bias),
        activation: lastSigmoid && k === layers.length - 1 ? 'sigmoid' : 'relu',
      }));
    return { layers: { bottom: out(this.bottom, false), top: out(this.top, true) }, tensors: {} };
  }
}
