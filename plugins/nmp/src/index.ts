// The one public door of @recmesh/plugin-nmp: one ContainerModule binding both contracts (the
// embedding contract on emulated RecNMP hardware; the dense graph stays on the host CPU, as in
// RecNMP), the hardware model, and the kernel benchmark.
import { ContainerModule } from 'inversify';
import { TYPES, type BackendOptions } from '@recmesh/backend';
import { OrtCpuDenseBackend } from '@recmesh/plugin-cpu';
import { NmpEmbeddingBackend } from './backend/nmp-backend';
import { configFromOptions } from './config/parse';

export const backendModule = new ContainerModule(({ bind }) => {
  bind(TYPES.EmbeddingBackend)
    .toDynamicValue(
      (context) =>
        new NmpEmbeddingBackend(
          configFromOptions(context.get<BackendOptions>(TYPES.BackendOptions, { optional: true })),
        ),
    )
    .inSingletonScope();
  bind(TYPES.DenseBackend).toConstantValue(new OrtCpuDenseBackend());
});

export { NmpEmbeddingBackend };
export { DEFAULT_NMP_CONFIG } from './config/defaults';
export type { NmpConfig } from './config/defaults';
export { parseNmpConfig, configFromOptions } from './config/parse';
export type { NmpConfigInput } from './config/parse';
export { NmpModel, rowBytesOf } from './model/nmp-model';
export type { BatchModel, EpochModel } from './model/nmp-model';
export type { Job } from './model/job';
export type { EnergyBreakdown } from './model/energy';
export { ENERGY_TERMS, totalEnergy, dynamicEnergy } from './model/energy';
export { benchNmpKernel } from './bench/bench-kernel';
export type { NmpBenchOptions, NmpBenchResult } from './bench/bench-kernel';
export { ZipfSampler } from './bench/zipf';
