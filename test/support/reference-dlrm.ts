/**
 * An independent DLRM forward pass in plain TypeScript and float64, written from the DLRM
 * reference (dlrm_s_pytorch.py: apply_mlp, interact_features, sigmoid) and sharing nothing with
 * the ONNX graph builder: the mesh's scores are checked against it.
 */
import { concat, dot, mlp, ReferenceBase, type ReferenceSample } from './reference-math';

export type { ReferenceSample } from './reference-math';

export class ReferenceDlrm extends ReferenceBase {
  score(sample: ReferenceSample): number {
    const arch = this.spec.architecture;
    if (arch.kind !== 'dlrm') throw new Error('not a DLRM');
    const x = mlp(this.weights.layers.bottom, sample.dense);
    const ly = this.tables.all(sample);
    let r: Float64Array;
    if (arch.interaction === 'cat') {
      r = concat(x, ...ly);
    } else {
      // T = [x, ly_0, ..., ly_{n-1}]; Z = T T^T; keep Z[i][j] for j < i (j <= i with the
      // interaction itself), i outer: li/lj of interact_features.
      const offset = arch.interaction === 'dot-self' ? 1 : 0;
      const vecs = [x, ...ly];
      const pairs: number[] = [];
      for (let i = 0; i < vecs.length; i++)
        for (let j = 0; j < i + offset; j++)
          pairs.push(dot(vecs[i] as Float64Array, vecs[j] as Float64Array));
      r = concat(x, pairs);
    }
    return mlp(this.weights.layers.top, r)[0] as number;
  }

  scores(sample: ReferenceSample): number[] {
    return [this.score(sample)];
  }
}
