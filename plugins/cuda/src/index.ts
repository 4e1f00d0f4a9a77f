// The one public door of @recmesh/plugin-cuda: one ContainerModule binding both contracts on one
// NVIDIA GPU. The GPU is opened when a service first asks for a backend; where it cannot be
// (no addon, no driver, no device) both backends report themselves unavailable with the reason,
// and embeddingBackendOf / denseBackendOf refuse them, so the service does not start.
import { ContainerModule } from 'inversify';
import { TYPES, type BackendOptions } from '@recmesh/backend';
import { CudaDenseBackend } from './dense-backend';
import { CudaDevice } from './device';
import { CudaEmbeddingBackend } from './embedding-backend';
import { cudaOptionsFrom } from './options';

const CUDA_DEVICE = Symbol.for('recmesh.cuda.CudaDevice');

export const backendModule = new ContainerModule(({ bind }) => {
  bind(CUDA_DEVICE)
    .toDynamicValue(
      (context) =>
        new CudaDevice(
          cudaOptionsFrom(context.get<BackendOptions>(TYPES.BackendOptions, { optional: true })),
        ),
    )
    .inSingletonScope();
  bind(TYPES.EmbeddingBackend)
    .toDynamicValue((context) => new CudaEmbeddingBackend(context.get<CudaDevice>(CUDA_DEVICE)))
    .inSingletonScope();
  bind(TYPES.DenseBackend)
    .toDynamicValue((context) => new CudaDenseBackend(context.get<CudaDevice>(CUDA_DEVICE)))
    .inSingletonScope();
});

export { CudaDevice, CudaEmbeddingBackend, CudaDenseBackend };
export { cudaOptionsFrom, DEFAULT_CUDA_OPTIONS } from './options';
export type { CudaOptions, DenseEngine } from './options';
export { loadAddon } from './native/addon';
export type { AddonLoad, BuildStatus, CudaAddon, ProbeResult } from './native/addon';
export { ortCudaProvider } from './dense/ort-cuda';
