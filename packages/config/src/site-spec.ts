import { z } from 'zod';
import { env } from './env-config';

/**
 * PUE 1.1 (facility energy / IT energy). Assumed: hyperscale fleets report about this (Google's
 * fleet-wide trailing-twelve-month PUE was 1.10 in 2022). Set the site's own figure.
 */
const DEFAULT_PUE = 1.1;

/**
 * Where the work runs, as the services that cost it read it (orchestrators for receipts, the
 * ledger for the books): both must be given the same values so they use the same factors.
 * (@recmesh/carbon-io's startSiteFactors turns them into a grid series.)
 */
export const siteSpec = {
  region: env(
    'RECMESH_REGION',
    z.string().min(1).default('usa'),
    "grid region of the site: a region of ACT's table (2022 locations, IPCC 2014 sources) or of RECMESH_GRID_REGIONS",
  ),
  gridGPerKwh: env(
    'RECMESH_GRID_G_PER_KWH',
    z.coerce.number().nonnegative().optional(),
    "fixed grid intensity of the site, gCO2e/kWh (default: the region's table value)",
  ),
  gridRegions: env(
    'RECMESH_GRID_REGIONS',
    z.string().optional(),
    'YAML/JSON file of regions (region, g_per_kwh, year, source) extending or overriding the table',
  ),
  gridSeries: env(
    'RECMESH_GRID_SERIES',
    z.string().optional(),
    'grid intensity time series for the region: CSV (from,g_per_kwh[,source,year,region]) or YAML/JSON points',
  ),
  gridFeed: env(
    'RECMESH_GRID_FEED',
    z.enum(['on', 'off']).default('on'),
    'follow the live grid feed (NATS subject recmesh.<mesh>.grid.<region>, kept in JetStream)',
  ),
  pue: env(
    'RECMESH_PUE',
    z.coerce.number().min(1).default(DEFAULT_PUE),
    `power usage effectiveness of the site (default ${DEFAULT_PUE}: assumed, hyperscale fleets report about this)`,
  ),
};
