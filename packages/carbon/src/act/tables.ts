import raw from '../data/act-constants.json';

/** Gas abatement level of a fab, percent (ACT's `gpa`): 97 is the mean of the 95 and 99 tables. */
export type Abatement = 95 | 97 | 99;

/**
 * ACT's constant tables (facebookresearch/ACT, version 2), with their units in the names. The
 * numbers live in ../data/act-constants.json, copied verbatim with their sources and years.
 */
export interface ActTables {
  /** Fab energy per wafer area by logic node, kWh/cm2. */
  readonly epaKwhPerCm2: Readonly<Record<string, number>>;
  /** Fab gas emissions per area by abatement level and node, gCO2e/cm2. */
  readonly gpaGPerCm2: Readonly<Record<Abatement, Readonly<Record<string, number>>>>;
  /** Raw materials per area by node, gCO2e/cm2. */
  readonly mpaGPerCm2: Readonly<Record<string, number>>;
  /** Grid intensity by location or energy source, gCO2e/kWh. */
  readonly ciGPerKwh: Readonly<Record<string, number>>;
  /** Embodied carbon per GB by memory or storage process, gCO2e/GB. */
  readonly dramGPerGb: Readonly<Record<string, number>>;
  readonly ssdGPerGb: Readonly<Record<string, number>>;
  readonly hddGPerGb: Readonly<Record<string, number>>;
  readonly defaults: {
    readonly fabYield: number;
    readonly gpa: Abatement;
    readonly fabCi: string;
    /** Packaging carbon per IC, g (ACT CARBON_PER_IC_PACKAGE). */
    readonly packagingGPerIc: number;
  };
  /** Where the tables come from, with the version and date. */
  readonly source: string;
}

/** The tables that ship with recmesh (ACT version 2, commit abc9fbb, 2025-07-21). */
export const ACT: ActTables = {
  epaKwhPerCm2: raw.epa_kWh_per_cm2,
  gpaGPerCm2: { 95: raw.gpa95_g_per_cm2, 97: raw.gpa97_g_per_cm2, 99: raw.gpa99_g_per_cm2 },
  mpaGPerCm2: raw.mpa_g_per_cm2,
  ciGPerKwh: raw.ci_g_per_kWh,
  dramGPerGb: raw.dram_g_per_GB,
  ssdGPerGb: raw.ssd_g_per_GB,
  hddGPerGb: raw.hdd_g_per_GB,
  defaults: {
    fabYield: raw._about.defaults.fab_yield,
    gpa: 97,
    fabCi: raw._about.defaults.fab_ci,
    packagingGPerIc: raw._about.defaults.packaging_g_per_ic,
  },
  source: raw._about.source,
};

/** ACT's year (pint's `year`: 365.25 days), hours. */
export const HOURS_PER_YEAR = 8766;
