// The one public door of @recmesh/carbon-io: what the carbon model reads from the outside
// world (files, energy counters, the grid feed). @recmesh/carbon itself does no I/O.
export { readDoc, readText } from './read-doc';
export {
  loadProfileFile,
  loadProfiles,
  pickProfile,
  readBomFile,
  shippedProfilesDir,
} from './profiles';
export { POWERCAP_ROOT, RaplReader } from './energy/rapl-reader';
export { machineBusyCpuS, processCpuS, USER_HZ } from './energy/cpu-time';
export { nvidiaSmiPower } from './energy/nvidia-smi';
export { createEnergyMeter } from './energy/energy-meter';
export type { EnergyMeter, EnergyMeterOptions, EnergyMode } from './energy/energy-meter';
export {
  deleteGridStream,
  encodeGridPoint,
  ensureGridStream,
  GRID_POINTS_PER_REGION,
  publishGridPoint,
} from './grid/grid-stream';
export { followGrid } from './grid/grid-follower';
export type { GridFollower, GridFollowerHandlers } from './grid/grid-follower';
export { readGridSeriesFile, siteGrid } from './grid/site-grid';
export type { SiteGridConfig } from './grid/site-grid';
export { startSiteFactors } from './grid/site-feed';
export { gridFeedMetrics } from './grid/grid-metrics';
export type { SiteFactorsSource, SiteFeedEvents } from './grid/site-feed';
export { onWindowBoundary, USAGE_WINDOW_MS } from './grid/window-boundary';
