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

/**
 * PUE 1.1 (facility energy / IT energy). Assumed: hyperscale fleets report about this (Google's
 * fleet-wide trailing-twelve-month PUE was 1.10 in 2022). Set the site's own figure.
 */
export const DEFAULT_PUE = 1.1;

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
