import { partCarbon, type BomPart } from './bom';
import { ACT, type ActTables } from './tables';

/** One part's embodied carbon, kg CO2e, by ACT's categories. */
export interface PartResult {
  readonly name: string;
  readonly model: BomPart['model'];
  /** Process node or per-GB table key; '' for manual parts. */
  readonly process: string;
  readonly fabricationKg: number;
  readonly packagingKg: number;
  readonly totalKg: number;
}

export interface EmbodiedTotal {
  readonly parts: readonly PartResult[];
  readonly fabricationKg: number;
  readonly packagingKg: number;
  readonly totalKg: number;
}

function processOf(part: BomPart): string {
  if (part.model === 'logic') return part.die.process;
  if (part.model === 'manual') return '';
  return part.storage.process;
}

/** Embodied carbon of every part and in total (ACT's FABRICATION + PACKAGING categories). */
export function embodiedTotal(parts: readonly BomPart[], t: ActTables = ACT): EmbodiedTotal {
  const results = parts.map((part): PartResult => {
    const c = partCarbon(part, t);
    return {
      name: part.name,
      model: part.model,
      process: processOf(part),
      fabricationKg: c.fabricationG / 1000,
      packagingKg: c.packagingG / 1000,
      totalKg: (c.fabricationG + c.packagingG) / 1000,
    };
  });
  const sum = (pick: (r: PartResult) => number) => results.reduce((s, r) => s + pick(r), 0);
  return {
    parts: results,
    fabricationKg: sum((r) => r.fabricationKg),
    packagingKg: sum((r) => r.packagingKg),
    totalKg: sum((r) => r.totalKg),
  };
}
