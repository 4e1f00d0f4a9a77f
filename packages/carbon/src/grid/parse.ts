import { invalidArgument } from '@recmesh/errors';
import { isObject } from '../act/bom';
import { nonNegative } from './regions';
import type { GridPoint } from './series';

/** A grid point as a file or a feed gives it, with the region it is for. */
export interface RegionPoint extends GridPoint {
  readonly region: string;
}

/** A time: epoch ms, or an ISO 8601 string with a zone ("2026-11-27T10:00:00Z"). */
export function parseTime(field: string, value: unknown): number {
  const ms =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value.trim())
        ? Date.parse(value)
        : NaN;
  if (!Number.isFinite(ms))
    throw invalidArgument(field, value ?? null, 'must be epoch ms or an ISO 8601 time with a zone');
  return ms;
}

/** One point: `{region?, from, g_per_kwh, source?, year?}`; `region` defaults to `region`. */
export function parseGridPoint(
  doc: unknown,
  field: string,
  region: string,
  source: string,
): RegionPoint {
  if (!isObject(doc)) throw invalidArgument(field, doc ?? null, 'a grid point must be a mapping');
  const r = doc.region ?? region;
  if (typeof r !== 'string' || r === '')
    throw invalidArgument(`${field}.region`, r, 'must be a region name');
  const s = doc.source ?? source;
  if (typeof s !== 'string') throw invalidArgument(`${field}.source`, s, 'must be a string');
  const y = doc.year;
  if (y !== undefined && !(typeof y === 'number' && Number.isInteger(y)))
    throw invalidArgument(`${field}.year`, y, 'must be a year such as 2026');
  return {
    region: r,
    fromMs: parseTime(`${field}.from`, doc.from),
    gPerKwh: nonNegative(`${field}.g_per_kwh`, doc.g_per_kwh),
    source: s,
    ...(y === undefined ? {} : { year: y }),
  };
}

/**
 * A CSV series: a header naming `from` and `g_per_kwh` (and optionally `region`, `source`,
 * `year`), then one point per line. Errors name the file, the line and the column.
 */
export function parseGridCsv(text: string, file: string, region: string): RegionPoint[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
  const header = (lines[headerAt] ?? '').split(',').map((h) => h.trim());
  for (const needed of ['from', 'g_per_kwh'])
    if (!header.includes(needed))
      throw invalidArgument(`${file}: header`, header.join(','), `needs a "${needed}" column`);
  const points: RegionPoint[] = [];
  lines.forEach((line, i) => {
    if (i <= headerAt || line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    const doc: Record<string, unknown> = {};
    header.forEach((h, c) => {
      const cell = cells[c];
      if (cell === undefined || cell === '') return;
      doc[h] =
        h === 'g_per_kwh' || h === 'year' || (h === 'from' && /^\d+$/.test(cell))
          ? Number(cell)
          : cell;
      if (h === 'g_per_kwh' && Number.isNaN(doc[h]))
        throw invalidArgument(`${file}:${i + 1} g_per_kwh`, cell, 'must be a number >= 0');
    });
    points.push(parseGridPoint(doc, `${file}:${i + 1}`, region, file));
  });
  return points;
}

/** A JSON or YAML series: `{region?, points: [...]}` or a list of points. */
export function parseGridDoc(doc: unknown, file: string, region: string): RegionPoint[] {
  const r = isObject(doc) && typeof doc.region === 'string' ? doc.region : region;
  const list = Array.isArray(doc) ? doc : isObject(doc) ? doc.points : undefined;
  if (!Array.isArray(list))
    throw invalidArgument(`${file}: points`, list ?? null, 'must be a list of grid points');
  return list.map((p: unknown, i) => parseGridPoint(p, `${file}: points[${i}]`, r, file));
}
