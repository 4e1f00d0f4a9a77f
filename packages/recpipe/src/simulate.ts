import { invalidArgument } from '@recmesh/errors';
import { topK, type PipelineStage } from '@recmesh/model-repository';

/**
 * What a pipeline returns for one query, computed from each model's scores of every candidate
 * (scores[model][i] for candidate i): stage 1 keeps its model's best `keep` of all candidates,
 * each next stage its model's best `keep` of those, ties to the lower candidate position, exactly
 * as the orchestrator runs it. Returns candidate positions, best first.
 */
export function simulatePipeline(
  scores: Readonly<Record<string, ArrayLike<number>>>,
  stages: readonly Pick<PipelineStage, 'model' | 'keep'>[],
  candidates: number,
): Uint32Array {
  let items = Uint32Array.from({ length: candidates }, (_, i) => i);
  for (const stage of stages) {
    const all = scores[stage.model];
    if (all === undefined)
      throw invalidArgument('stage.model', stage.model, 'no scores for this model');
    const mine = Float32Array.from(items, (i) => all[i] as number);
    const before = items;
    items = Uint32Array.from(topK(mine, stage.keep), (k) => before[k] as number);
  }
  return items;
}
