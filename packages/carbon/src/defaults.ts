import type { MachineShare } from './attribution';
import { DEFAULT_PUE, type SiteFactors } from './operational';

/**
 * The grid intensity of the US (380 gCO2e/kWh, 2022), from ACT's location table
 * (facebookresearch/ACT, location_2022.yaml); PUE assumed (DEFAULT_PUE).
 */
export const DEFAULT_SITE: SiteFactors = {
  region: 'usa',
  gridGPerKwh: 380,
  pue: DEFAULT_PUE,
  source: 'ACT location_2022.yaml (2022); PUE assumed',
};

/**
 * A 2-socket server with 40 cores whose embodied carbon is ACT's Dell PowerEdge R740 bill of
 * materials (1523.14 kg CO2e); power and life assumed. profiles/dell-r740.yaml is the same
 * machine with a source for every number.
 */
export const DEFAULT_MACHINE: MachineShare = {
  name: 'dell-r740',
  units: 40,
  idleW: 120,
  maxW: 550,
  embodiedKg: 1523.14,
  lifetimeYears: 4,
};
