import { invalidArgument, notFound } from '@recmesh/errors';
import { isObject } from '../act/bom';
import { ACT } from '../act/tables';

/** The grid intensity of a region (or of an energy source, for a supply contract). */
export interface GridRegion {
  readonly region: string;
  /** gCO2e/kWh. */
  readonly gPerKwh: number;
  /** Year the figure describes. */
  readonly year: number;
  readonly source: string;
}

const ACT_SOURCES = new Set([
  'coal',
  'gas',
  'biomass',
  'solar',
  'geothermal',
  'hydropower',
  'nuclear',
  'wind',
]);

/**
 * ACT's intensity table as regions: locations from location_2022.yaml (2022), energy sources
 * from source.yaml (IPCC AR5 lifecycle medians, 2014).
 */
export const ACT_REGIONS: readonly GridRegion[] = Object.entries(ACT.ciGPerKwh).map(
  ([region, gPerKwh]) =>
    ACT_SOURCES.has(region)
      ? { region, gPerKwh, year: 2014, source: 'ACT source.yaml (IPCC AR5 lifecycle median)' }
      : { region, gPerKwh, year: 2022, source: 'ACT location_2022.yaml (facebookresearch/ACT)' },
);

/** Regions by name: ACT's table, overridden or extended by `extra` (a user's regions file). */
export function regionTable(extra: readonly GridRegion[] = []): ReadonlyMap<string, GridRegion> {
  return new Map([...ACT_REGIONS, ...extra].map((r) => [r.region, r]));
}

/** The region named `region`, or an error naming the field, the value and the known regions. */
export function resolveRegion(
  table: ReadonlyMap<string, GridRegion>,
  region: string,
  field = 'region',
): GridRegion {
  const found = table.get(region);
  if (found === undefined)
    throw notFound(field, region, `unknown grid region; known: ${[...table.keys()].join(', ')}`);
  return found;
}

/** A finite number >= 0, or an error naming the field. */
export function nonNegative(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw invalidArgument(field, value ?? null, 'must be a number >= 0');
  return value;
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidArgument(field, value ?? null, 'missing: must be a non-empty string');
  return value;
}

function year(field: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1990 && value <= 2100))
    throw invalidArgument(field, value ?? null, 'must be a year such as 2024');
  return value;
}

/** A regions file: `regions: [{region, g_per_kwh, year, source}, ...]`, each entry checked. */
export function parseRegions(doc: unknown, file = 'regions'): GridRegion[] {
  const list = isObject(doc) ? doc.regions : undefined;
  if (!Array.isArray(list))
    throw invalidArgument(`${file}: regions`, list ?? null, 'must be a list of regions');
  return list.map((entry: unknown, i) => {
    const f = `${file}: regions[${i}]`;
    if (!isObject(entry)) throw invalidArgument(f, entry, 'must be a mapping');
    return {
      region: text(`${f}.region`, entry.region),
      gPerKwh: nonNegative(`${f}.g_per_kwh`, entry.g_per_kwh),
      year: year(`${f}.year`, entry.year),
      source: text(`${f}.source`, entry.source),
    };
  });
}
