import { invalidArgument } from '@recmesh/errors';
import { lookup } from './lookup';
import { ACT, type Abatement, type ActTables } from './tables';

/** ACT's two categories of embodied carbon that silicon parts carry, grams CO2e. */
export interface PartCarbon {
  readonly fabricationG: number;
  readonly packagingG: number;
}

/** A logic die (CPU, GPU, accelerator, NMP logic), as ACT's logic model takes it. */
export interface LogicDie {
  readonly areaMm2: number;
  /** Process node, a key of the EPA table ("7nm"). */
  readonly process: string;
  /** Grid of the fab: a location or source key ("taiwan", "coal") or gCO2e/kWh. */
  readonly fabCi?: string | number;
  readonly gpa?: Abatement;
  readonly fabYield?: number;
  readonly nIcs?: number;
}

/** Memory or storage, by capacity (ACT's DRAM, SSD and HDD models). */
export interface StoragePart {
  readonly kind: 'dram' | 'flash' | 'hdd';
  readonly capacityGb: number;
  /** A key of the kind's per-GB table ("ddr4_10nm", "nand_10nm", "Exosx16"). */
  readonly process: string;
  readonly fabYield?: number;
  readonly nIcs?: number;
}

function checkYield(field: string, y: number): number {
  if (!(y > 0 && y <= 1)) throw invalidArgument(field, y, 'fab yield must be in (0, 1]');
  return y;
}

function checkIcs(field: string, n: number): number {
  if (!(Number.isInteger(n) && n >= 0))
    throw invalidArgument(field, n, 'must be a whole number of ICs >= 0');
  return n;
}

/** Grid intensity of a fab: a table key, or a number of gCO2e/kWh given directly. */
export function fabIntensity(field: string, ci: string | number, t: ActTables = ACT): number {
  if (typeof ci === 'number') {
    if (!(Number.isFinite(ci) && ci >= 0))
      throw invalidArgument(field, ci, 'must be gCO2e/kWh >= 0 or a location/source name');
    return ci;
  }
  return lookup(t.ciGPerKwh, field, ci, 'fab location or energy source');
}

/**
 * Carbon per area of a logic node, gCO2e/mm2 (ACT LogicModel.get_cpa):
 * (fab grid x energy per area + gas per area + materials per area) / yield.
 */
export function logicCarbonPerMm2(die: LogicDie, field = 'die', t: ActTables = ACT): number {
  const node = die.process;
  const epa = lookup(t.epaKwhPerCm2, `${field}.process`, node, 'logic process node');
  const gpa = t.gpaGPerCm2[die.gpa ?? t.defaults.gpa];
  if (gpa === undefined) throw invalidArgument(`${field}.gpa`, die.gpa, 'must be 95, 97 or 99');
  const ci = fabIntensity(`${field}.fab_ci`, die.fabCi ?? t.defaults.fabCi, t);
  const perCm2 =
    ci * epa +
    lookup(gpa, `${field}.process`, node, 'logic process node') +
    lookup(t.mpaGPerCm2, `${field}.process`, node, 'logic process node');
  return perCm2 / checkYield(`${field}.fab_yield`, die.fabYield ?? t.defaults.fabYield) / 100;
}

/** A logic die's embodied carbon (ACT LogicModel.get_carbon): area x carbon per area + packaging. */
export function logicDieCarbon(die: LogicDie, field = 'die', t: ActTables = ACT): PartCarbon {
  if (!(die.areaMm2 >= 0)) throw invalidArgument(`${field}.area`, die.areaMm2, 'must be >= 0');
  return {
    fabricationG: die.areaMm2 * logicCarbonPerMm2(die, field, t),
    packagingG: checkIcs(`${field}.n_ics`, die.nIcs ?? 0) * t.defaults.packagingGPerIc,
  };
}

/** Memory or storage (ACT StorageModel.get_carbon): capacity x g/GB / yield + packaging. */
export function storageCarbon(part: StoragePart, field = 'part', t: ActTables = ACT): PartCarbon {
  const table = { dram: t.dramGPerGb, flash: t.ssdGPerGb, hdd: t.hddGPerGb }[part.kind];
  const perGb = lookup(table, `${field}.process`, part.process, `${part.kind} process`);
  if (!(part.capacityGb >= 0))
    throw invalidArgument(`${field}.capacity`, part.capacityGb, 'must be >= 0');
  const y = checkYield(`${field}.fab_yield`, part.fabYield ?? t.defaults.fabYield);
  return {
    fabricationG: (part.capacityGb * perGb) / y,
    packagingG: checkIcs(`${field}.n_ics`, part.nIcs ?? 0) * t.defaults.packagingGPerIc,
  };
}

/**
 * A part whose carbon is given (ACT's `manual` model). ACT divides both the given carbon and the
 * packaging by the yield here (act_model.py silicon_analysis); recmesh does the same for parity.
 */
export function manualCarbon(
  carbonG: number,
  fabYield: number | undefined,
  nIcs: number | undefined,
  field = 'part',
  t: ActTables = ACT,
): PartCarbon {
  const y = checkYield(`${field}.fab_yield`, fabYield ?? t.defaults.fabYield);
  return {
    fabricationG: carbonG / y,
    packagingG: (checkIcs(`${field}.n_ics`, nIcs ?? 0) * t.defaults.packagingGPerIc) / y,
  };
}
