/**
 * DIN (Zhou et al., KDD 2018, eq. 3) in float64: v_U = sum_j a(e_j, v_A) e_j with the local
 * activation unit a(.) an MLP over [e_j, v_A, e_j - v_A, e_j * v_A], weights not normalised;
 * the top MLP over [profile, v_U, v_A, context], softmax; the score is its first output.
 */
import { concat, mlp, ReferenceBase, type ReferenceSample } from './reference-math';

export class ReferenceDin extends ReferenceBase {
  scores(sample: ReferenceSample): number[] {
    const a = this.spec.architecture;
    if (a.kind !== 'din') throw new Error('not a DIN');
    const v = this.tables.all(sample);
    const l = a.behaviours;
    const profile = v[0] as Float64Array;
    const ad = v[l + 1] as Float64Array;
    const context = v[l + 2] as Float64Array;
    const interest = new Float64Array(this.spec.dim);
    for (let j = 1; j <= l; j++) {
      const e = v[j] as Float64Array;
      const unit = concat(
        e,
        ad,
        e.map((x, k) => x - (ad[k] as number)),
        e.map((x, k) => x * (ad[k] as number)),
      );
      const w = mlp(this.weights.layers.attention, unit)[0] as number;
      for (let k = 0; k < e.length; k++)
        interest[k] = (interest[k] as number) + w * (e[k] as number);
    }
    return [mlp(this.weights.layers.top, concat(profile, interest, ad, context))[0] as number];
  }
}
