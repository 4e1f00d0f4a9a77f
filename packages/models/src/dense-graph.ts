import type { DenseGraph } from '@recmesh/backend';
import type { Architecture, ArchitectureKind } from './architecture';
import { dienGraph } from './graphs/dien-graph';
import { dinGraph } from './graphs/din-graph';
import { dlrmGraph, type GraphOptions } from './graphs/dlrm-graph';
import { ncfGraph } from './graphs/ncf-graph';
import { GraphBuilder } from './graphs/onnx-builder';
import { multiTaskWideDeepGraph, wideDeepGraph } from './graphs/wide-deep-graph';
import type { ModelSpec } from './model-spec';
import { denseWeights, type DenseWeights } from './weights';

/** A family's graph: from the inputs to the scores [B][tasks]. */
type GraphOf<A extends Architecture> = (
  b: GraphBuilder,
  io: { dense: string; emb: string },
  spec: ModelSpec,
  arch: A,
  weights: DenseWeights,
  options: GraphOptions,
) => string;

const GRAPHS: { [K in ArchitectureKind]: GraphOf<Extract<Architecture, { kind: K }>> } = {
  dlrm: dlrmGraph,
  ncf: ncfGraph,
  'wide-deep': wideDeepGraph,
  'mt-wide-deep': multiTaskWideDeepGraph,
  din: dinGraph,
  dien: dienGraph,
};

/** Input and output names of every dense graph recmesh builds. */
export const DENSE_GRAPH_IO = {
  /** float32 [batch][dense_features] (width 0 for models without dense features) */
  dense: 'dense',
  /** float32 [tables][batch][dim], the wire layout of PredictRequest.embeddings */
  embeddings: 'emb',
  /** float32 [batch][tasks], each in [0, 1] */
  output: 'prob',
} as const;

/**
 * The dense graph of `spec` as an ONNX model (opset 17): its architecture's computation from the
 * dense features and the pooled vectors to the scores, weights as initializers. `weights`
 * defaults to the preset's deterministic ones; an importer passes trained ones (checked against
 * the architecture's shapes, errors naming the layer). `options` choose among equivalent forms.
 */
export function buildDenseGraph(
  spec: ModelSpec,
  weights: DenseWeights = denseWeights(spec),
  options: GraphOptions = {},
): Uint8Array {
  const b = new GraphBuilder();
  const io = { dense: DENSE_GRAPH_IO.dense, emb: DENSE_GRAPH_IO.embeddings };
  const a = spec.architecture;
  const build = GRAPHS[a.kind] as GraphOf<Architecture>;
  const out = build(b, io, spec, a, weights, options);
  b.output(DENSE_GRAPH_IO.output, out);
  return b.encode(
    `${a.kind}_dense`,
    [
      { name: DENSE_GRAPH_IO.dense, dims: ['batch', spec.denseFeatures] },
      { name: DENSE_GRAPH_IO.embeddings, dims: [spec.tables.length, 'batch', spec.dim] },
    ],
    [{ name: DENSE_GRAPH_IO.output, dims: ['batch', spec.tasks.length] }],
    `${spec.name}@${spec.version}`,
  );
}

/**
 * The plain MLP weights of a DLRM with a concatenation or dot interaction and one task, for
 * backends that run their own kernels instead of ONNX (plugins/cuda); undefined otherwise.
 */
function plainMlpOf(spec: ModelSpec, weights: DenseWeights): DenseGraph['mlp'] {
  const a = spec.architecture;
  if (a.kind !== 'dlrm' || a.interaction === 'dot-self' || spec.tasks.length !== 1)
    return undefined;
  const bottom = weights.layers.bottom ?? [];
  const top = weights.layers.top ?? [];
  const plain = [...bottom, ...top].every(
    (l) => l.activation === 'relu' || l.activation === 'sigmoid',
  );
  if (!plain) return undefined;
  return {
    interaction: a.interaction,
    bottom: bottom as NonNullable<DenseGraph['mlp']>['bottom'],
    top: top as NonNullable<DenseGraph['mlp']>['top'],
  };
}

/**
 * What a dense backend needs to run `spec`'s graph: built here from the preset's deterministic
 * weights (with the plain MLP weights beside it where the model has them), or an ONNX file's
 * bytes (a repository version).
 */
export function denseGraphOf(spec: ModelSpec, onnx?: Uint8Array): DenseGraph {
  const weights = onnx === undefined ? denseWeights(spec) : undefined;
  const mlp = weights === undefined ? undefined : plainMlpOf(spec, weights);
  return {
    onnx: onnx ?? buildDenseGraph(spec, weights),
    io: DENSE_GRAPH_IO,
    denseFeatures: spec.denseFeatures,
    tables: spec.tables.length,
    dim: spec.dim,
    tasks: spec.tasks.length,
    ...(mlp === undefined ? {} : { mlp }),
  };
}
