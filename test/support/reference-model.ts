/** The independent forward pass of any preset's architecture (reference-*.ts). */
import { denseWeights, type DenseWeights, type ModelSpec } from '@recmesh/models';
import type { ReferenceModel } from './reference-math';
import { ReferenceDien } from './reference-dien';
import { ReferenceDin } from './reference-din';
import { ReferenceDlrm } from './reference-dlrm';
import { ReferenceNcf } from './reference-ncf';
import { ReferenceWideDeep } from './reference-wide-deep';

export type { ReferenceModel, ReferenceSample } from './reference-math';

export function referenceModel(
  spec: ModelSpec,
  weights: DenseWeights = denseWeights(spec),
): ReferenceModel {
  switch (spec.architecture.kind) {
    case 'dlrm':
      return new ReferenceDlrm(spec, weights);
    case 'ncf':
      return new ReferenceNcf(spec, weights);
    case 'wide-deep':
    case 'mt-wide-deep':
      return new ReferenceWideDeep(spec, weights);
    case 'din':
      return new ReferenceDin(spec, weights);
    case 'dien':
      return new ReferenceDien(spec, weights);
  }
}
