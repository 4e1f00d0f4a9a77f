import type { MachineShare } from './attribution';
import type { SiteFactors } from './operational';

/**
 * The grid intensity of the US (380 gCO2e/kWh), from ACT's location table
 * (facebookresearch/ACT, ci_g_per_kWh). PUE 1.1 is an assumed hyperscale figure; set your own.
 */
export const DEFAULT_SITE: SiteFactors = {
  region: 'usa',
  gridGPerKwh: 380,
  pue: 1.1,
  source: 'ACT grid table (facebookresearch/ACT, version 2 tables, 2025); PUE assumed',
};

/**
 * A 2-socket server with 40 cores whose embodied carbon is ACT's Dell PowerEdge R740 bill of
 * materials (1523.14 kg CO2e, reference/act-boms/dellr740.yaml). The power model (120 W idle,
 * 550 W at full load) and the 4-year life are assumptions to replace with a measured profile.
 */
export const DEFAULT_MACHINE: MachineShare = {
  name: 'dell-r740 (ACT BOM; power assumed)',
  cores: 40,
  idleW: 120,
  maxW: 550,
  embodiedKg: 1523.14,
  lifetimeYears: 4,
};
