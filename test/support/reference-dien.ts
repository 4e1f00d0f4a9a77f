/**
 * DIEN (Zhou et al., AAAI 2019) in float64 with the AIGRU evolution layer: h_t = GRU(e_t,
 * h_{t-1}); a_t = softmax_t(h_t W e_A) over the valid steps; h'_t = GRU'(a_t h_t, h'_{t-1});
 * the top MLP over [h'_T, profile, e_A, context], softmax, first output. GRU as PyTorch and
 * ONNX (linear_before_reset) define it: z = s(W_z x + b_wz + R_z h + b_rz),
 * r = s(W_r x + b_wr + R_r h + b_rr), n = tanh(W_n x + b_wn + r * (R_n h + b_rn)),
 * h' = (1 - z) n + z h. A history ends at its first empty (all-zero) slot.
 */
import type { DenseTensor } from '@recmesh/models';
import { concat, dot, mlp, ReferenceBase, sigmoid, type ReferenceSample } from './reference-math';

interface Gru {
  readonly w: DenseTensor;
  readonly r: DenseTensor;
  readonly b: DenseTensor;
  readonly inputs: number;
}

function gruStep(g: Gru, hidden: number, x: Float64Array, h: Float64Array): Float64Array {
  const gate = (k: number, unit: number): [number, number] => {
    const row = k * hidden + unit;
    let wx = g.b.data[row] as number;
    for (let i = 0; i < g.inputs; i++)
      wx += (g.w.data[row * g.inputs + i] as number) * (x[i] as number);
    let rh = g.b.data[3 * hidden + row] as number;
    for (let j = 0; j < hidden; j++)
      rh += (g.r.data[row * hidden + j] as number) * (h[j] as number);
    return [wx, rh];
  };
  const out = new Float64Array(hidden);
  for (let u = 0; u < hidden; u++) {
    const [zx, zh] = gate(0, u);
    const [rx, rh] = gate(1, u);
    const [nx, nh] = gate(2, u);
    const z = sigmoid(zx + zh);
    const r = sigmoid(rx + rh);
    const n = Math.tanh(nx + r * nh);
    out[u] = (1 - z) * n + z * (h[u] as number);
  }
  return out;
}

export class ReferenceDien extends ReferenceBase {
  private gru(name: string, inputs: number): Gru {
    const t = (part: string) => this.weights.tensors[`${name}.${part}`] as DenseTensor;
    return { w: t('W'), r: t('R'), b: t('B'), inputs };
  }

  scores(sample: ReferenceSample): number[] {
    const a = this.spec.architecture;
    if (a.kind !== 'dien') throw new Error('not a DIEN');
    const d = this.spec.dim;
    const hdim = a.hidden;
    const v = this.tables.all(sample);
    const l = a.behaviours;
    const profile = v[0] as Float64Array;
    const ad = v[l + 1] as Float64Array;
    const context = v[l + 2] as Float64Array;
    const history: Float64Array[] = [];
    for (let j = 1; j <= l; j++) {
      const e = v[j] as Float64Array;
      if (e.every((x) => x === 0)) break;
      history.push(e);
    }
    const g1 = this.gru('gru1', d);
    const g2 = this.gru('gru2', hdim);
    let h: Float64Array = new Float64Array(hdim);
    const states = history.map((e) => (h = gruStep(g1, hdim, e, h)));
    const wa = (this.weights.tensors['attention.W'] as DenseTensor).data;
    const query = Float64Array.from({ length: hdim }, (_, i) =>
      dot(wa.subarray(i * d, (i + 1) * d), ad),
    );
    const s = states.map((st) => dot(st, query));
    const max = Math.max(...s);
    const e = s.map((x) => Math.exp(x - max));
    const sum = e.reduce((p, q) => p + q, 0);
    let h2: Float64Array = new Float64Array(hdim);
    states.forEach((st, t) => {
      const at = (e[t] as number) / sum;
      h2 = gruStep(
        g2,
        hdim,
        st.map((x) => x * at),
        h2,
      );
    });
    return [mlp(this.weights.layers.top, concat(h2, profile, ad, context))[0] as number];
  }
}
