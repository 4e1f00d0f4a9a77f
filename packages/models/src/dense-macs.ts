import { dlrmInteractionWidth } from './architecture';
import type { ModelSpec } from './model-spec';

const mlpMacs = (inputs: number, widths: readonly number[]): number => {
  let m = inputs;
  let macs = 0;
  for (const n of widths) {
    macs += m * n;
    m = n;
  }
  return macs;
};

const last = (widths: readonly number[]) => widths[widths.length - 1] as number;

/**
 * Multiply-accumulates of the dense graph per scored item: fully connected layers, DLRM's
 * interaction (the whole (T+1) x (T+1) Gram matrix, as the reference's bmm computes it), DIN's
 * activation unit per behaviour, DIEN's GRUs and attention per step. Element-wise work and
 * embedding pooling are not counted. FLOPs are about twice this.
 */
export function denseMacs(spec: ModelSpec): number {
  const a = spec.architecture;
  const { dim: d, denseFeatures: f } = spec;
  const t = spec.tables.length;
  switch (a.kind) {
    case 'dlrm': {
      const gram = a.interaction === 'cat' ? 0 : (t + 1) * (t + 1) * d;
      const width = dlrmInteractionWidth(a.interaction, t, d);
      return mlpMacs(f, a.bottomMlp) + gram + mlpMacs(width, a.topMlp);
    }
    case 'ncf':
      return mlpMacs(2 * d, a.mlp) + mlpMacs(d + last(a.mlp), a.predict);
    case 'wide-deep':
      return mlpMacs(f + t * d, a.deepMlp) + f;
    case 'mt-wide-deep':
      return (
        mlpMacs(f + t * d, a.sharedMlp) + spec.tasks.length * mlpMacs(last(a.sharedMlp), a.taskMlp)
      );
    case 'din':
      return a.behaviours * (mlpMacs(4 * d, [...a.attentionMlp, 1]) + d) + mlpMacs(4 * d, a.topMlp);
    case 'dien': {
      const h = a.hidden;
      const gru = (inputs: number) => 3 * h * (inputs + h);
      return a.behaviours * (gru(d) + gru(h) + h) + h * d + mlpMacs(h + 3 * d, a.topMlp);
    }
  }
}
