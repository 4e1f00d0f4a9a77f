import { extname } from 'node:path';
import {
  GridSeries,
  parseGridCsv,
  parseGridDoc,
  parseRegions,
  regionTable,
  resolveRegion,
  type GridRegion,
  type RegionPoint,
} from '@recmesh/carbon';
import { readDoc, readText } from '../read-doc';
import { onWindowBoundary } from './window-boundary';

export interface SiteGridConfig {
  /** The grid region where the work runs (RECMESH_REGION). */
  readonly region: string;
  /** A fixed intensity that replaces the table's, gCO2e/kWh (RECMESH_GRID_G_PER_KWH). */
  readonly gPerKwh?: number | undefined;
  /** A regions file that extends or overrides ACT's table (RECMESH_GRID_REGIONS). */
  readonly regionsFile?: string | undefined;
  /** A time series file, CSV or YAML/JSON (RECMESH_GRID_SERIES). */
  readonly seriesFile?: string | undefined;
}

/** Points of a series file for `region` (CSV by extension, else YAML/JSON). */
export function readGridSeriesFile(path: string, region: string): RegionPoint[] {
  const points =
    extname(path).toLowerCase() === '.csv'
      ? parseGridCsv(readText(path), path, region)
      : parseGridDoc(readDoc(path), path, region);
  return points.filter((p) => p.region === region);
}

/**
 * The site's grid series from configuration: the region's value from the table (an unknown
 * region is an error naming RECMESH_REGION), or the fixed value, then the series file's points.
 * A live feed adds its points later (followGrid).
 */
export function siteGrid(config: SiteGridConfig): GridSeries {
  const table = regionTable(
    config.regionsFile === undefined
      ? []
      : parseRegions(readDoc(config.regionsFile), config.regionsFile),
  );
  const base: GridRegion =
    config.gPerKwh === undefined
      ? resolveRegion(table, config.region, 'RECMESH_REGION')
      : {
          region: config.region,
          gPerKwh: config.gPerKwh,
          year: new Date().getUTCFullYear(),
          source: 'RECMESH_GRID_G_PER_KWH (set by the operator)',
        };
  const series = new GridSeries(config.region, base);
  if (config.seriesFile !== undefined)
    for (const p of readGridSeriesFile(config.seriesFile, config.region))
      series.add({ ...p, fromMs: onWindowBoundary(p.fromMs) });
  return series;
}
