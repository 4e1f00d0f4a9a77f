import { invalidArgument } from '@recmesh/errors';

// Quantities in ACT's bill-of-materials format are strings with a unit ("6.98 cm2", "3840 GB"),
// read by pint there. These are the units recmesh accepts, converted to the unit ACT's tables use.

/** Area units, in mm2. */
const AREA_MM2: Readonly<Record<string, number>> = { um2: 1e-6, mm2: 1, cm2: 100, m2: 1e6 };

/** Capacity units, in GB (pint's decimal GB, as ACT's per-GB tables use; GiB = 1.0737 GB). */
const CAPACITY_GB: Readonly<Record<string, number>> = {
  B: 1e-9,
  kB: 1e-6,
  KB: 1e-6,
  MB: 1e-3,
  GB: 1,
  TB: 1e3,
  PB: 1e6,
  KiB: 1024 / 1e9,
  MiB: 1024 ** 2 / 1e9,
  GiB: 1024 ** 3 / 1e9,
  TiB: 1024 ** 4 / 1e9,
};

/** Mass units, in g. */
const MASS_G: Readonly<Record<string, number>> = { mg: 1e-3, g: 1, kg: 1e3, t: 1e6 };

/** Splits "6.98 cm2" into number and unit; "mm^2", "mm**2" and "mm²" read as "mm2". */
function split(field: string, value: unknown, example: string): [number, string] {
  if (typeof value !== 'string')
    throw invalidArgument(field, value, `needs a number with a unit, e.g. "${example}"`);
  const m =
    /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)(2|\^2|\*\*2|²)?\s*$/.exec(value);
  if (m === null)
    throw invalidArgument(field, value, `not a number with a unit, e.g. "${example}"`);
  return [Number(m[1]), `${m[2] as string}${m[3] === undefined ? '' : '2'}`];
}

function convert(
  field: string,
  value: unknown,
  table: Readonly<Record<string, number>>,
  example: string,
): number {
  const [x, unit] = split(field, value, example);
  const factor = table[unit];
  if (factor === undefined)
    throw invalidArgument(
      field,
      value,
      `unknown unit "${unit}"; use ${Object.keys(table).join(', ')}`,
    );
  if (!(x >= 0)) throw invalidArgument(field, value, 'must not be negative');
  return x * factor;
}

/** An area ("6.98 cm2", "100 mm2"), in mm2. */
export function areaMm2(field: string, value: unknown): number {
  return convert(field, value, AREA_MM2, '100 mm2');
}

/** A memory or storage capacity ("3840 GB", "1 TB", "32 GiB"), in GB (10^9 bytes). */
export function capacityGb(field: string, value: unknown): number {
  return convert(field, value, CAPACITY_GB, '64 GB');
}

/** A mass of CO2e ("12 kg", "350 g"), in g. */
export function massG(field: string, value: unknown): number {
  return convert(field, value, MASS_G, '12 kg');
}
