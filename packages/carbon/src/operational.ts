/** Joules in one kilowatt-hour. */
export const J_PER_KWH = 3.6e6;

/** Grid and facility factors of where the work runs, in force at one time. */
export interface SiteFactors {
  readonly region: string;
  /** Grid carbon intensity, gCO2e/kWh. */
  readonly gridGPerKwh: number;
  /** Power usage effectiveness of the data centre (facility energy / IT energy). */
  readonly pue: number;
  /** Where the grid figure comes from, with its year. */
  readonly source: string;
}

/** Operational carbon, grams: IT energy (J) x PUE x grid intensity (gCO2e/kWh). */
export function operationalG(
  energyJ: number,
  site: Pick<SiteFactors, 'gridGPerKwh' | 'pue'>,
): number {
  return (energyJ / J_PER_KWH) * site.pue * site.gridGPerKwh;
}

/**
 * ACT's operational model (OpModel.get_carbon), grams: grid x power x time x duty cycle, with no
 * PUE. `hours` in ACT's hours (a year is 8766 h).
 */
export function actOperationalG(
  powerW: number,
  hours: number,
  dutyCycle: number,
  ciGPerKwh: number,
): number {
  return (ciGPerKwh * powerW * hours * dutyCycle) / 1000;
}
