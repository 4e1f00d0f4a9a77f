import { operationalG, type SiteFactors } from './operational';

/**
 * The machine a share of work runs on, as far as attribution needs it: its power model and its
 * embodied carbon spread over its life.
 */
export interface MachineShare {
  readonly name: string;
  /** Cores (or devices) that share the machine's power and embodied carbon. */
  readonly cores: number;
  readonly idleW: number;
  readonly maxW: number;
  /** Embodied carbon of the whole machine, kg CO2e (ACT). */
  readonly embodiedKg: number;
  readonly lifetimeYears: number;
}

export interface Attributed {
  readonly energyJ: number;
  readonly energyMethod: 'measured' | 'modelled';
  readonly operationalG: number;
  readonly embodiedG: number;
  readonly totalG: number;
}

const SECONDS_PER_YEAR = 365.25 * 24 * 3600;

/**
 * Carbon of `busyS` core-seconds of work. Energy, where not measured, is the busy cores' share
 * of the machine at full load (idle + (max - idle) per core, i.e. max / cores per busy core):
 * the utilisation model of DESIGN.md section 6. Embodied share = embodied x (time used /
 * lifetime) x (share of the machine used) (ACT, Software Carbon Intensity).
 */
export function attribute(
  busyS: number,
  machine: MachineShare,
  site: SiteFactors,
  measuredJ?: number,
): Attributed {
  const modelled = measuredJ === undefined;
  const energyJ = modelled ? (busyS * machine.maxW) / machine.cores : measuredJ;
  const op = operationalG(energyJ, site);
  const embodiedG =
    ((machine.embodiedKg * 1000) / machine.cores) *
    (busyS / (machine.lifetimeYears * SECONDS_PER_YEAR));
  return {
    energyJ: energyJ * site.pue,
    energyMethod: modelled ? 'modelled' : 'measured',
    operationalG: op,
    embodiedG,
    totalG: op + embodiedG,
  };
}
