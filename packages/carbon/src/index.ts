// The one public door of @recmesh/carbon: the carbon model, no I/O.
export { operationalG, J_PER_KWH } from './operational';
export type { SiteFactors } from './operational';
export { attribute } from './attribution';
export type { Attributed, MachineShare } from './attribution';
export { DEFAULT_SITE, DEFAULT_MACHINE } from './defaults';
