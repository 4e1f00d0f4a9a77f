/**
 * NeuMF (He et al., WWW 2017, eq. 12) in float64: GMF phi = p_u * q_i over tables 0 and 1, the
 * MLP tower over [p'_u, q'_i] (tables 2 and 3), prediction layers over [phi_GMF, phi_MLP].
 */
import { concat, mlp, ReferenceBase, type ReferenceSample } from './reference-math';

export class ReferenceNcf extends ReferenceBase {
  scores(sample: ReferenceSample): number[] {
    const [pu, qi, pu2, qi2] = this.tables.all(sample) as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const gmf = pu.map((v, k) => v * (qi[k] as number));
    const tower = mlp(this.weights.layers.mlp, concat(pu2, qi2));
    return [mlp(this.weights.layers.predict, concat(gmf, tower))[0] as number];
  }
}
