import type { NcfArchitecture } from '../architecture';
import type { ModelSpec } from '../model-spec';
import type { DenseWeights } from '../weights';
import { mlpOf, widthOf } from './layers';
import type { GraphBuilder } from './onnx-builder';

/** NeuMF: GMF (tables 0 * 1) beside the MLP tower over [table 2, table 3]. Returns [B][1]. */
export function ncfGraph(
  b: GraphBuilder,
  io: { emb: string },
  spec: ModelSpec,
  _arch: NcfArchitecture,
  weights: DenseWeights,
): string {
  const d = spec.dim;
  const tower = mlpOf(weights, 'mlp', 2 * d);
  const predict = mlpOf(weights, 'predict', d + widthOf(tower), 1);
  const gmf = b.node('Mul', [b.table(io.emb, 0), b.table(io.emb, 1)]);
  const h = b.mlp('mlp', b.concat([b.table(io.emb, 2), b.table(io.emb, 3)], 1), tower);
  return b.mlp('predict', b.concat([gmf, h], 1), predict);
}
