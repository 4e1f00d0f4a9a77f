import { invalidArgument } from '@recmesh/errors';
import type { DinArchitecture } from '../architecture';
import type { ModelSpec } from '../model-spec';
import type { DenseWeights } from '../weights';
import { mlpOf } from './layers';
import { int, type GraphBuilder } from './onnx-builder';

/** Checks the table layout of DIN and DIEN: profile, `behaviours` slots, ad, context. */
export function checkBehaviourTables(spec: ModelSpec, behaviours: number): void {
  if (!(Number.isInteger(behaviours) && behaviours >= 1))
    throw invalidArgument('architecture.behaviours', behaviours, 'must be an integer >= 1');
  if (spec.tables.length !== behaviours + 3)
    throw invalidArgument(
      'tables',
      `${spec.tables.length} tables`,
      `${spec.architecture.kind} with ${behaviours} behaviour slots has profile + ${behaviours} + ad + context = ${behaviours + 3}`,
    );
}

/**
 * DIN: the local activation unit weighs every behaviour against the candidate ad; the weighted
 * sum (not normalised) joins profile, ad and context in the top MLP; softmax over 2. Returns
 * [B][1], the first softmax output.
 */
export function dinGraph(
  b: GraphBuilder,
  io: { emb: string },
  spec: ModelSpec,
  arch: DinArchitecture,
  weights: DenseWeights,
): string {
  const l = arch.behaviours;
  const d = spec.dim;
  checkBehaviourTables(spec, l);
  const attention = mlpOf(weights, 'attention', 4 * d, 1);
  const top = mlpOf(weights, 'top', 4 * d, 2);
  const profile = b.table(io.emb, 0);
  const behaviours = b.transpose(b.tables(io.emb, 1, l + 1), [1, 0, 2]); // [B][L][D]
  const ad = b.table(io.emb, l + 1);
  const context = b.table(io.emb, l + 2);
  const adEach = b.node('Expand', [
    b.node('Unsqueeze', [ad, b.ints([1])]),
    b.node('Shape', [behaviours]),
  ]); // [B][L][D]
  const unit = b.concat(
    [behaviours, adEach, b.node('Sub', [behaviours, adEach]), b.node('Mul', [behaviours, adEach])],
    2,
  ); // [B][L][4D]
  const rows = b.node('Reshape', [unit, b.ints([-1, 4 * d])]);
  const w = b.node('Reshape', [b.mlp('attention', rows, attention), b.ints([-1, l, 1])]);
  const interest = b.node(
    'ReduceSum',
    [b.node('Mul', [w, behaviours]), b.ints([1])],
    [int('keepdims', 0)],
  ); // [B][D]
  const p = b.mlp('top', b.concat([profile, interest, ad, context], 1), top);
  return b.node('Slice', [p, b.ints([0]), b.ints([1]), b.ints([1])]);
}
