/** Joules in one kilowatt-hour. */
export const J_PER_KWH = 3.6e6;

/** Grid and facility factors of where the work runs. */
export interface SiteFactors {
  readonly region: string;
  /** Grid carbon intensity, gCO2e/kWh. */
  readonly gridGPerKwh: number;
  /** Power usage effectiveness of the data centre (facility energy / IT energy). */
  readonly pue: number;
  /** Where the grid figure comes from, with its year. */
  readonly source: string;
}

/** Operational carbon, grams: energy (J) x PUE x grid intensity. */
export function operationalG(energyJ: number, site: SiteFactors): number {
  return (energyJ / J_PER_KWH) * site.pue * site.gridGPerKwh;
}
