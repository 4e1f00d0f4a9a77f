import type { DienArchitecture } from '../architecture';
import type { ModelSpec } from '../model-spec';
import type { DenseWeights } from '../weights';
import { checkBehaviourTables } from './din-graph';
import { mlpOf, tensorOf } from './layers';
import { int, type GraphBuilder } from './onnx-builder';

/** Score given to masked positions before the softmax: exp of it is 0 in float32. */
const MASKED = -1e9;

/**
 * DIEN: GRU over the behaviours (interest extractor), attention of each state against the
 * candidate ad, a second GRU over the attention-scaled states (AIGRU), its last state with
 * profile, ad and context into the top MLP; softmax over 2. A sequence ends at its first empty
 * slot (a zero vector): its length goes to both GRUs (ONNX GRU's sequence_lens) and masks the
 * attention. Returns [B][1], the first softmax output.
 */
export function dienGraph(
  b: GraphBuilder,
  io: { emb: string },
  spec: ModelSpec,
  arch: DienArchitecture,
  weights: DenseWeights,
): string {
  const l = arch.behaviours;
  const d = spec.dim;
  const h = arch.hidden;
  checkBehaviourTables(spec, l);
  const top = mlpOf(weights, 'top', h + 3 * d, 2);
  const gru = (name: string, inputs: number) => [
    b.tensor(`${name}.W`, tensorOf(weights, `${name}.W`, [1, 3 * h, inputs])),
    b.tensor(`${name}.R`, tensorOf(weights, `${name}.R`, [1, 3 * h, h])),
    b.tensor(`${name}.B`, tensorOf(weights, `${name}.B`, [1, 6 * h])),
  ];
  const gruAttrs = [int('hidden_size', h), int('linear_before_reset', 1)];

  const profile = b.table(io.emb, 0);
  const behaviours = b.tables(io.emb, 1, l + 1); // [L][B][D], time-major as GRU wants
  const ad = b.table(io.emb, l + 1);
  const context = b.table(io.emb, l + 2);

  // valid[t][b]: no empty slot at or before t. length[b] = sum_t valid[t][b].
  const present = b.node('Greater', [
    b.node('ReduceSum', [b.node('Abs', [behaviours]), b.ints([2])], [int('keepdims', 0)]),
    b.scalar('zero', 0),
  ]);
  const gaps = b.node('CumSum', [
    b.node('Cast', [b.node('Not', [present])], [int('to', 1)]),
    b.int64('time_axis', [0], true),
  ]);
  const valid = b.node('Equal', [gaps, b.scalar('no_gap', 0)]); // [L][B] bool
  const lengths = b.node(
    'Cast',
    [
      b.node(
        'ReduceSum',
        [b.node('Cast', [valid], [int('to', 1)]), b.ints([0])],
        [int('keepdims', 0)],
      ),
    ],
    [int('to', 6)],
  ); // int32 [B]

  const [states] = b.nodeN('GRU', [behaviours, ...gru('gru1', d), lengths], 2, gruAttrs);
  const hs = b.node('Squeeze', [states as string, b.ints([1])]); // [L][B][H]
  const wa = b.tensor('attention.W', tensorOf(weights, 'attention.W', [h, d]));
  const query = b.node('Gemm', [ad, wa], [int('transB', 1)]); // [B][H]
  const scores = b.node(
    'ReduceSum',
    [b.node('Mul', [hs, query]), b.ints([2])],
    [int('keepdims', 0)],
  ); // [L][B]
  const masked = b.node('Where', [valid, scores, b.scalar('masked', MASKED)]);
  const attention = b.node('Softmax', [masked], [int('axis', 0)]);
  const scaled = b.node('Mul', [hs, b.node('Unsqueeze', [attention, b.ints([2])])]);
  const [, last] = b.nodeN('GRU', [scaled, ...gru('gru2', h), lengths], 2, gruAttrs);
  const interest = b.node('Squeeze', [last as string, b.ints([0])]); // [B][H]
  const p = b.mlp('top', b.concat([interest, profile, ad, context], 1), top);
  return b.node('Slice', [p, b.ints([0]), b.ints([1]), b.ints([1])]);
}
