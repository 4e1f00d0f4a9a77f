import type { DlrmArchitecture } from '../architecture';
import { interactionWidth, type ModelSpec } from '../model-spec';
import type { DenseLayer, DenseWeights } from '../weights';
import { mlpOf } from './layers';
import { int, type GraphBuilder } from './onnx-builder';

/**
 * Pairs (i, j) with j < i (j <= i with `self`) over the T+1 vectors [bottom output, table 0, ...,
 * table T-1], in the DLRM reference's order (i outer, j inner), as flat indices into a
 * (T+1) x (T+1) matrix.
 */
export function dotPairs(tables: number, self = false): number[] {
  const n = tables + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < i + (self ? 1 : 0); j++) out.push(i * n + j);
  return out;
}

/**
 * How many multiply-adds of onnxruntime's CPU GEMM cost as much as moving one entry of the Gram
 * matrix through the pair selection (measured on AVX2 with one thread: about 0.02 ns per
 * multiply-add, 2 ns per entry for transpose, gather and transpose back).
 */
const MACS_PER_GRAM_ENTRY = 100;

/**
 * Whether the dot interaction's pair selection should be folded into the top MLP's first layer.
 * Both lowerings compute the same scores. Selecting the pairs moves the n x n Gram matrix of
 * every item; folding moves nothing but multiplies the n^2 - pairs entries outside the pairs by
 * zero weights. Folding pays off when that first layer is narrow against the Gram matrix
 * (`recmesh bench dense --batch 4096 --dot-lowering selected,folded`, one thread): RecPipe's
 * RM-small (n 27, 64 wide) 9.1 -> 6.8 ms, RM-large (96 wide) 28.0 -> 26.9 ms, but RMC1-dot (n 9,
 * 256 wide) 6.1 -> 7.2 ms.
 */
export function foldsDotPairs(n: number, pairs: number, firstTopWidth: number): boolean {
  return (n * n - pairs) * firstTopWidth < MACS_PER_GRAM_ENTRY * n * n;
}

/**
 * How the dot interaction's pairs reach the top MLP: `folded` into its first layer, `selected`
 * by a Gather along axis 0 of the transposed Gram matrix, or `gather`ed along axis 1 of the flat
 * Gram matrix (element by element: the form an ONNX export of DLRM's `Z[:, li, lj]` takes, and
 * recmesh's before the two others; kept as the baseline of `recmesh bench dense`). `auto`:
 * foldsDotPairs decides between folded and selected.
 */
export const DOT_LOWERINGS = ['auto', 'folded', 'selected', 'gather'] as const;
export type DotLowering = (typeof DOT_LOWERINGS)[number];

/** Choices a graph builder takes that do not change the scores. */
export interface GraphOptions {
  readonly dotLowering?: DotLowering;
}

/** DLRM: bottom MLP, interaction, top MLP (its last layer sigmoid). Returns [B][1]. */
export function dlrmGraph(
  b: GraphBuilder,
  io: { dense: string; emb: string },
  spec: ModelSpec,
  arch: DlrmArchitecture,
  weights: DenseWeights,
  options: GraphOptions = {},
): string {
  const bottom = mlpOf(weights, 'bottom', spec.denseFeatures, spec.dim);
  const top = mlpOf(weights, 'top', interactionWidth(spec), 1);
  const x = b.mlp('bottom', io.dense, bottom);
  const byBatch = b.transpose(io.emb, [1, 0, 2]); // [B][T][D]
  if (arch.interaction === 'cat') return b.mlp('top', b.concat([x, b.flatten(byBatch)], 1), top);

  const n = spec.tables.length + 1;
  const x3 = b.node('Unsqueeze', [x, b.int64('axis_1', [1])]);
  const vectors = b.concat([x3, byBatch], 1); // [B][n][D]
  const gram = b.flatten(b.node('MatMul', [vectors, b.transpose(vectors, [0, 2, 1])])); // [B][n*n]
  const pairs = dotPairs(spec.tables.length, arch.interaction === 'dot-self');
  const first = top[0] as DenseLayer;
  const lowering = options.dotLowering ?? 'auto';
  const fold =
    lowering === 'folded' || (lowering === 'auto' && foldsDotPairs(n, pairs.length, first.outputs));
  if (fold) {
    const h = foldedPairsLayer(b, x, gram, first, spec.dim, pairs, n * n);
    return b.mlp('top', h, top.slice(1), 1);
  }
  const index = b.int64('dot_pairs', pairs);
  if (lowering === 'gather') {
    const gathered = b.node('Gather', [gram, index], [int('axis', 1)]);
    return b.mlp('top', b.concat([x, gathered], 1), top);
  }
  // Gather along axis 1 copies element by element; along axis 0 of the transpose it copies one
  // contiguous row of the batch per pair.
  const byEntry = b.transpose(gram, [1, 0]); // [n*n][B]
  const selected = b.node('Gather', [byEntry, index], [int('axis', 0)]);
  return b.mlp('top', b.concat([x, b.transpose(selected, [1, 0])], 1), top);
}

/**
 * The top MLP's first layer over [x, the pairs of gram], computed from the whole flat Gram
 * matrix: the layer's weights for pair k sit at the pair's flat index, zeros elsewhere, so
 * gram W_g^T + (x W_x^T + bias) is the layer's pre-activation without selecting the pairs.
 */
function foldedPairsLayer(
  b: GraphBuilder,
  x: string,
  gram: string,
  layer: DenseLayer,
  dim: number,
  pairs: readonly number[],
  entries: number,
): string {
  const wx = new Float32Array(layer.outputs * dim);
  const wg = new Float32Array(layer.outputs * entries);
  for (let o = 0; o < layer.outputs; o++) {
    const row = layer.weight.subarray(o * layer.inputs, (o + 1) * layer.inputs);
    wx.set(row.subarray(0, dim), o * dim);
    pairs.forEach((entry, k) => (wg[o * entries + entry] = row[dim + k] as number));
  }
  const fromX = b.node(
    'Gemm',
    [
      x,
      b.float('top.0.weight_x', [layer.outputs, dim], wx),
      b.float('top.0.bias', [layer.outputs], layer.bias),
    ],
    [int('transB', 1)],
  );
  const wGram = b.float('top.0.weight_gram', [layer.outputs, entries], wg);
  return b.activation(b.node('Gemm', [gram, wGram, fromX], [int('transB', 1)]), layer.activation);
}
