import { invalidArgument } from '@recmesh/errors';
import {
  logicDieCarbon,
  manualCarbon,
  storageCarbon,
  type LogicDie,
  type PartCarbon,
  type StoragePart,
} from './embodied';
import { ACT, type Abatement, type ActTables } from './tables';
import { areaMm2, capacityGb, massG } from './units';

/** What every part has: its name, where it was read (for errors) and where its figures come from. */
interface PartBase {
  readonly name: string;
  /** Where the part was read, e.g. `r740.yaml: silicon.cpu.main0`; errors name it. */
  readonly field: string;
  readonly source?: string;
}

/** One silicon part of a bill of materials, in ACT's format, checked and in recmesh's units. */
export type BomPart = PartBase &
  (
    | { readonly model: 'logic'; readonly die: LogicDie }
    | { readonly model: StoragePart['kind']; readonly storage: StoragePart }
    | {
        readonly model: 'manual';
        readonly carbonG: number;
        readonly fabYield?: number;
        readonly nIcs?: number;
      }
  );

const MODELS = ['logic', 'dram', 'flash', 'hdd', 'manual'] as const;
/** Keys of ACT's SiliconAnnotation, plus recmesh's `source` (where the figures come from). */
const PART_KEYS = new Set([
  ...['model', 'area', 'capacity', 'n_ics', 'process', 'carbon', 'ctype', 'fab_yield'],
  ...['fab_ci', 'gpa', 'source'],
]);

type Doc = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidArgument(field, value, 'must be a number');
  return value;
}

function requiredString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidArgument(field, value ?? null, 'missing: must be a non-empty string');
  return value;
}

/** One entry of a `silicon` section; `field` names it in errors ("silicon.cpu.main0"). */
export function parsePart(name: string, doc: unknown, field: string): BomPart {
  if (!isObject(doc)) throw invalidArgument(field, doc, 'must be a mapping of part fields');
  for (const key of Object.keys(doc)) {
    if (!PART_KEYS.has(key))
      throw invalidArgument(
        `${field}.${key}`,
        doc[key],
        `unknown field; known: ${[...PART_KEYS].join(', ')}`,
      );
  }
  const model = (doc.model ?? 'logic') as (typeof MODELS)[number];
  if (!MODELS.includes(model))
    throw invalidArgument(`${field}.model`, model, `unknown model; known: ${MODELS.join(', ')}`);
  const source =
    doc.source === undefined ? {} : { source: requiredString(`${field}.source`, doc.source) };
  const fabYield = optionalNumber(`${field}.fab_yield`, doc.fab_yield);
  const nIcs = optionalNumber(`${field}.n_ics`, doc.n_ics);
  const common = {
    ...(fabYield === undefined ? {} : { fabYield }),
    ...(nIcs === undefined ? {} : { nIcs }),
  };
  const unused = (keys: readonly string[]) => {
    for (const key of keys)
      if (doc[key] !== undefined)
        throw invalidArgument(
          `${field}.${key}`,
          doc[key],
          `not used by the ${String(model)} model`,
        );
  };
  if (model === 'manual') {
    unused(['area', 'capacity', 'process', 'fab_ci', 'gpa']);
    if (doc.ctype !== undefined && doc.ctype !== 'fabrication')
      throw invalidArgument(
        `${field}.ctype`,
        doc.ctype,
        'recmesh books manual parts as fabrication only',
      );
    if (doc.carbon === undefined)
      throw invalidArgument(`${field}.carbon`, null, 'missing, e.g. "12 kg"');
    return {
      name,
      field,
      model,
      carbonG: massG(`${field}.carbon`, doc.carbon),
      ...common,
      ...source,
    };
  }
  unused(['carbon', 'ctype']);
  const process = requiredString(`${field}.process`, doc.process);
  if (model === 'logic') {
    if (doc.area === undefined)
      throw invalidArgument(
        `${field}.area`,
        null,
        'missing, e.g. "100 mm2" (ACT would take 0 mm2)',
      );
    const gpa = optionalNumber(`${field}.gpa`, doc.gpa);
    if (gpa !== undefined && gpa !== 95 && gpa !== 97 && gpa !== 99)
      throw invalidArgument(`${field}.gpa`, gpa, 'must be 95, 97 or 99 (gas abatement, percent)');
    const fabCi = doc.fab_ci;
    if (fabCi !== undefined && typeof fabCi !== 'string' && typeof fabCi !== 'number')
      throw invalidArgument(`${field}.fab_ci`, fabCi, 'must be a location, a source or gCO2e/kWh');
    const die: LogicDie = {
      areaMm2: areaMm2(`${field}.area`, doc.area),
      process,
      ...(fabCi === undefined ? {} : { fabCi }),
      ...(gpa === undefined ? {} : { gpa: gpa as Abatement }),
      ...common,
    };
    return { name, field, model, die, ...source };
  }
  unused(['area', 'fab_ci', 'gpa']);
  if (doc.capacity === undefined)
    throw invalidArgument(`${field}.capacity`, null, 'missing, e.g. "64 GB" (ACT would take 0 GB)');
  const storage: StoragePart = {
    kind: model,
    capacityGb: capacityGb(`${field}.capacity`, doc.capacity),
    process,
    ...common,
  };
  return { name, field, model, storage, ...source };
}

/** The `silicon` section of an ACT bill of materials: part name -> part. */
export function parseSilicon(doc: unknown, field = 'silicon'): BomPart[] {
  if (!isObject(doc))
    throw invalidArgument(field, doc ?? null, 'must be a mapping of part name -> part');
  return Object.entries(doc).map(([name, part]) => parsePart(name, part, `${field}.${name}`));
}

const BOM_KEYS = new Set(['name', 'description', 'owner', 'silicon']);
const UNSUPPORTED = new Set(['materials', 'passives', 'imports']);

/** A whole ACT bill of materials (its `silicon` section; other sections are refused by name). */
export function parseBom(doc: unknown, file = 'bom'): { name: string; parts: BomPart[] } {
  if (!isObject(doc))
    throw invalidArgument(file, doc ?? null, 'a bill of materials must be a mapping');
  for (const key of Object.keys(doc)) {
    if (UNSUPPORTED.has(key))
      throw invalidArgument(
        `${file}: ${key}`,
        '...',
        'only the silicon section is modelled by recmesh',
      );
    if (!BOM_KEYS.has(key))
      throw invalidArgument(
        `${file}: ${key}`,
        doc[key],
        `unknown section; known: ${[...BOM_KEYS].join(', ')}`,
      );
  }
  const name = typeof doc.name === 'string' ? doc.name : file;
  return { name, parts: parseSilicon(doc.silicon, `${file}: silicon`) };
}

/** A part's carbon by ACT's model for its kind. */
export function partCarbon(part: BomPart, t: ActTables = ACT): PartCarbon {
  const field = part.field;
  switch (part.model) {
    case 'logic':
      return logicDieCarbon(part.die, field, t);
    case 'manual':
      return manualCarbon(part.carbonG, part.fabYield, part.nIcs, field, t);
    default:
      return storageCarbon(part.storage, field, t);
  }
}
