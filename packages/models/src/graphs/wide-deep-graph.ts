import type { MultiTaskWideDeepArchitecture, WideDeepArchitecture } from '../architecture';
import type { ModelSpec } from '../model-spec';
import type { DenseWeights } from '../weights';
import { mlpOf, widthOf } from './layers';
import type { GraphBuilder } from './onnx-builder';

/** [dense, table 0, ..., table T-1] as [B][F + T * D] (no dense part when F is 0). */
function deepInput(b: GraphBuilder, io: { dense: string; emb: string }, spec: ModelSpec): string {
  const pooled = b.flatten(b.transpose(io.emb, [1, 0, 2]));
  return spec.denseFeatures > 0 ? b.concat([io.dense, pooled], 1) : pooled;
}

/** Wide & Deep: sigmoid(deep MLP logit + linear model over the dense features). [B][1]. */
export function wideDeepGraph(
  b: GraphBuilder,
  io: { dense: string; emb: string },
  spec: ModelSpec,
  _arch: WideDeepArchitecture,
  weights: DenseWeights,
): string {
  const width = spec.denseFeatures + spec.tables.length * spec.dim;
  const deep = b.mlp('deep', deepInput(b, io, spec), mlpOf(weights, 'deep', width, 1));
  if (spec.denseFeatures === 0) return b.node('Sigmoid', [deep]);
  const wide = b.mlp('wide', io.dense, mlpOf(weights, 'wide', spec.denseFeatures, 1));
  return b.node('Sigmoid', [b.node('Add', [deep, wide])]);
}

/** MT-WnD: a shared MLP, then one tower per task. Returns [B][tasks]. */
export function multiTaskWideDeepGraph(
  b: GraphBuilder,
  io: { dense: string; emb: string },
  spec: ModelSpec,
  _arch: MultiTaskWideDeepArchitecture,
  weights: DenseWeights,
): string {
  const width = spec.denseFeatures + spec.tables.length * spec.dim;
  const sharedLayers = mlpOf(weights, 'shared', width);
  const shared = b.mlp('shared', deepInput(b, io, spec), sharedLayers);
  const heads = spec.tasks.map((_, k) =>
    b.mlp(`task.${k}`, shared, mlpOf(weights, `task.${k}`, widthOf(sharedLayers), 1)),
  );
  return heads.length === 1 ? (heads[0] as string) : b.concat(heads, 1);
}
