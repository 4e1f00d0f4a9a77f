/**
 * Wide & Deep (Cheng et al., DLRS 2016, eq. 3) and DeepRecSys' multi-task variant in float64:
 * P = sigmoid(w_wide . x + deep(a) + b); MT: one sigmoid tower per task over a shared MLP.
 */
import { concat, mlp, ReferenceBase, sigmoid, type ReferenceSample } from './reference-math';

export class ReferenceWideDeep extends ReferenceBase {
  scores(sample: ReferenceSample): number[] {
    const a = concat(sample.dense, ...this.tables.all(sample));
    if (this.spec.architecture.kind === 'mt-wide-deep') {
      const shared = mlp(this.weights.layers.shared, a);
      return this.spec.tasks.map(
        (_, k) => mlp(this.weights.layers[`task.${k}`], shared)[0] as number,
      );
    }
    const deep = mlp(this.weights.layers.deep, a)[0] as number;
    const wide =
      this.spec.denseFeatures > 0 ? (mlp(this.weights.layers.wide, sample.dense)[0] as number) : 0;
    return [sigmoid(deep + wide)];
  }
}
