// The one public door of @recmesh/plugin-nmp: the RecNMP hardware model and its configuration.
export { DEFAULT_NMP_CONFIG } from './config/defaults';
export type { NmpConfig } from './config/defaults';
export { parseNmpConfig, configFromOptions } from './config/parse';
export type { NmpConfigInput } from './config/parse';
export { NmpModel, rowBytesOf } from './model/nmp-model';
export type { BatchModel, EpochModel } from './model/nmp-model';
export type { Job } from './model/job';
export type { EnergyBreakdown } from './model/energy';
export { ENERGY_TERMS, totalEnergy, dynamicEnergy } from './model/energy';
export { ZipfSampler } from './bench/zipf';
