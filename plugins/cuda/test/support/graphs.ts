// Dense graphs of the preset models, as the dense worker builds them: ONNX and the same weights
// as DenseGraph.mlp.
import type { DenseGraph } from '@recmesh/backend';
import { denseGraphOf as graphOfSpec, resolveModel } from '@recmesh/models';
import { seeded } from './tables';

export function denseGraphOf(model: string, seed = 3): DenseGraph {
  const graph = graphOfSpec(resolveModel(model, { rowScale: 0.0001, seed }));
  if (graph.mlp === undefined)
    throw new Error(`${model} has no plain MLP weights for the cuda kernels`);
  return graph;
}

/** Dense features in [0, 1) and pooled embeddings in [-0.5, 0.5) for `batch` samples. */
export function denseInputs(graph: DenseGraph, batch: number, seed: number) {
  const next = seeded(seed);
  return {
    dense: Float32Array.from({ length: batch * graph.denseFeatures }, next),
    embeddings: Float32Array.from({ length: graph.tables * batch * graph.dim }, () => next() - 0.5),
  };
}
