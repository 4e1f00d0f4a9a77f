// The one public door of @recmesh/plugin-cpu: one ContainerModule binding both contracts.
import { ContainerModule } from 'inversify';
import { TYPES } from '@recmesh/backend';
import { OrtCpuDenseBackend } from './dense-backend';
import { CpuEmbeddingBackend } from './embedding-backend';

export const backendModule = new ContainerModule(({ bind }) => {
  bind(TYPES.EmbeddingBackend).toConstantValue(new CpuEmbeddingBackend());
  bind(TYPES.DenseBackend).toConstantValue(new OrtCpuDenseBackend());
});

export { CpuEmbeddingBackend, OrtCpuDenseBackend };
