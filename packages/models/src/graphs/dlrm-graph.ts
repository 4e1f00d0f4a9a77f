import type { DlrmArchitecture } from '../architecture';
import { interactionWidth, type ModelSpec } from '../model-spec';
import type { DenseWeights } from '../weights';
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

/** DLRM: bottom MLP, interaction, top MLP (its last layer sigmoid). Returns [B][1]. */
export function dlrmGraph(
  b: GraphBuilder,
  io: { dense: string; emb: string },
  spec: ModelSpec,
  arch: DlrmArchitecture,
  weights: DenseWeights,
): string {
  const bottom = mlpOf(weights, 'bottom', spec.denseFeatures, spec.dim);
  const top = mlpOf(weights, 'top', interactionWidth(spec), 1);
  const x = b.mlp('bottom', io.dense, bottom);
  const byBatch = b.transpose(io.emb, [1, 0, 2]); // [B][T][D]
  let z: string;
  if (arch.interaction === 'cat') {
    z = b.concat([x, b.flatten(byBatch)], 1);
  } else {
    const x3 = b.node('Unsqueeze', [x, b.int64('axis_1', [1])]);
    const vectors = b.concat([x3, byBatch], 1); // [B][T+1][D]
    const gram = b.node('MatMul', [vectors, b.transpose(vectors, [0, 2, 1])]);
    const pairs = b.node(
      'Gather',
      [
        b.flatten(gram),
        b.int64('dot_pairs', dotPairs(spec.tables.length, arch.interaction === 'dot-self')),
      ],
      [int('axis', 1)],
    );
    z = b.concat([x, pairs], 1);
  }
  return b.mlp('top', z, top);
}
