import { HOURS_PER_YEAR } from './act/tables';
import { operationalG, type SiteFactors } from './operational';
import type { HardwareProfile } from './profile/profile';

/** The hardware a share of work runs on, as attribution needs it. */
export interface MachineShare {
  readonly name: string;
  /** Units that share the machine's power and embodied carbon (cores, devices, ranks). */
  readonly units: number;
  readonly idleW: number;
  readonly maxW: number;
  /** Embodied carbon of the whole machine, kg CO2e (ACT). */
  readonly embodiedKg: number;
  readonly lifetimeYears: number;
}

export function machineOf(profile: HardwareProfile): MachineShare {
  return {
    name: profile.name,
    units: profile.capacity.units,
    idleW: profile.power.idleW,
    maxW: profile.power.maxW,
    embodiedKg: profile.embodied.totalKg,
    lifetimeYears: profile.lifetime.years,
  };
}

/** ACT's year (8766 h), seconds. */
export const SECONDS_PER_YEAR = HOURS_PER_YEAR * 3600;

/** Power of the whole machine at utilisation u in [0, 1], W: idle + u x (max - idle). */
export function powerAtUtilisation(machine: MachineShare, u: number): number {
  return machine.idleW + Math.min(1, Math.max(0, u)) * (machine.maxW - machine.idleW);
}

/**
 * Modelled IT energy of `busyS` unit-seconds, J. Work that keeps one of the machine's `units`
 * busy for a second has utilisation share 1/units of that second: it is charged that share of
 * the idle power (the capacity it holds) plus its own dynamic power, (max - idle)/units, from
 * the linear model powerAtUtilisation. Summed over tenants this is P(u) x time at the machine's
 * utilisation u, less the idle power of capacity nobody used (outside the boundary). Linear in
 * busy time, so a receipt and the ledger get the same joules from the same busy seconds.
 */
export function modelledEnergyJ(busyS: number, machine: MachineShare): number {
  const idleShareW = machine.idleW / machine.units;
  const dynamicW = (powerAtUtilisation(machine, 1) - machine.idleW) / machine.units;
  return busyS * (idleShareW + dynamicW);
}

/**
 * Embodied share, g: embodied x (time used / lifetime) x (share of the machine used), the ACT
 * and Software Carbon Intensity convention; a busy unit-second is 1/units of a machine-second.
 */
export function embodiedShareG(busyS: number, machine: MachineShare): number {
  return (
    (machine.embodiedKg * 1000 * busyS) / (machine.units * machine.lifetimeYears * SECONDS_PER_YEAR)
  );
}

export type EnergyMethod = 'measured' | 'modelled';

export interface Attributed {
  /** IT energy, J (no PUE). */
  readonly itEnergyJ: number;
  /** Energy with the facility's overhead, J (IT x PUE). */
  readonly energyJ: number;
  readonly energyMethod: EnergyMethod;
  readonly operationalG: number;
  readonly embodiedG: number;
  readonly totalG: number;
}

/**
 * Carbon of `busyS` unit-seconds on `machine` under `site`'s factors: operational from the
 * measured IT energy where given, else from modelledEnergyJ; plus the embodied share.
 */
export function attribute(
  busyS: number,
  machine: MachineShare,
  site: Pick<SiteFactors, 'gridGPerKwh' | 'pue'>,
  measuredJ?: number,
): Attributed {
  const itEnergyJ = measuredJ ?? modelledEnergyJ(busyS, machine);
  const op = operationalG(itEnergyJ, site);
  const embodiedG = embodiedShareG(busyS, machine);
  return {
    itEnergyJ,
    energyJ: itEnergyJ * site.pue,
    energyMethod: measuredJ === undefined ? 'modelled' : 'measured',
    operationalG: op,
    embodiedG,
    totalG: op + embodiedG,
  };
}
