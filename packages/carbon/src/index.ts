// The one public door of @recmesh/carbon: the carbon model (ACT embodied, operational,
// attribution, grid series, hardware profiles, energy arithmetic). No I/O: callers read files,
// counters and feeds and hand the contents in.
export { ACT, HOURS_PER_YEAR } from './act/tables';
export type { Abatement, ActTables } from './act/tables';
export { areaMm2, capacityGb, massG } from './act/units';
export {
  fabIntensity,
  logicCarbonPerMm2,
  logicDieCarbon,
  manualCarbon,
  storageCarbon,
} from './act/embodied';
export type { LogicDie, PartCarbon, StoragePart } from './act/embodied';
export { isObject, parseBom, parsePart, parseSilicon, partCarbon } from './act/bom';
export type { BomPart } from './act/bom';
export { embodiedTotal } from './act/embodied-total';
export type { EmbodiedTotal, PartResult } from './act/embodied-total';
export { actOperationalG, operationalG, J_PER_KWH } from './operational';
export type { SiteFactors } from './operational';
export {
  attribute,
  embodiedShareG,
  machineOf,
  modelledEnergyJ,
  powerAtUtilisation,
  SECONDS_PER_YEAR,
} from './attribution';
export type { Attributed, EnergyMethod, MachineShare } from './attribution';
export { parseProfile, UNIT_OF_KIND } from './profile/profile';
export type { HardwareKind, HardwareProfile } from './profile/profile';
export { ACT_REGIONS, nonNegative, parseRegions, regionTable, resolveRegion } from './grid/regions';
export type { GridRegion } from './grid/regions';
export { GridSeries } from './grid/series';
export type { GridPoint, GridSegment } from './grid/series';
export { parseGridCsv, parseGridDoc, parseGridPoint, parseTime } from './grid/parse';
export type { RegionPoint } from './grid/parse';
export { counterDeltaUj, parseNvidiaSmiPower, parseProcStat, processShareJ } from './energy/rapl';
export type { CpuTicks } from './energy/rapl';
export { splitByBusy } from './energy/split';
