// The one public door of @recmesh/plugin-cpu: one ContainerModule binding both contracts, and
// the gather-reduce kernel bench.
import { ContainerModule } from 'inversify';
import { TYPES } from '@recmesh/backend';
import { OrtCpuDenseBackend } from './dense-backend';
import { CpuEmbeddingBackend } from './embedding-backend';

export const backendModule = new ContainerModule(({ bind }) => {
  bind(TYPES.EmbeddingBackend).toConstantValue(new CpuEmbeddingBackend());
  bind(TYPES.DenseBackend).toConstantValue(new OrtCpuDenseBackend());
});

export { CpuEmbeddingBackend, OrtCpuDenseBackend };
export type { CpuEmbeddingOptions, KernelChoice } from './embedding-backend';
export { benchKernel, KERNEL_BENCH_DEFAULTS } from './kernel-bench';
export type { KernelBenchOptions, KernelBenchResult } from './kernel-bench';
