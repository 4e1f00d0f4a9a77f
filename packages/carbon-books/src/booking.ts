import {
  attribute,
  machineOf,
  type GridSeries,
  type HardwareProfile,
  type MachineShare,
} from '@recmesh/carbon';
import type { UsageEvent } from '@recmesh/proto';
import type { BookedEvent } from './store';

/** Why an event was refused: a short code (a metric label) and a message naming the field. */
export interface Refusal {
  readonly reason: string;
  readonly message: string;
}

export interface BookingFactors {
  readonly profiles: ReadonlyMap<string, HardwareProfile>;
  readonly grid: GridSeries;
  readonly pue: number;
}

const NUMBERS = [
  ['windowStartMs', 'window_start_ms'],
  ['windowEndMs', 'window_end_ms'],
  ['busyS', 'busy_s'],
  ['bytesMoved', 'bytes_moved'],
  ['energyJ', 'energy_j'],
  ['queries', 'queries'],
  ['items', 'items'],
  ['receiptOperationalG', 'receipt_operational_g'],
  ['receiptEmbodiedG', 'receipt_embodied_g'],
] as const;

const METHODS = new Set(['measured', 'modelled', 'mixed']);

/**
 * The energy an event gives, J, or undefined for the ledger to model from the profile: a meter's
 * ("measured"), a backend's own model of an emulated device (nmp: "modelled" with joules), or
 * both in one window ("mixed"). "modelled" with 0 J leaves the model to the ledger.
 */
export function givenEnergyJ(e: UsageEvent): number | undefined {
  return e.energyMethod === 'modelled' && !(e.energyJ > 0) ? undefined : e.energyJ;
}

/** The first thing wrong with an event, or undefined when it can be booked. */
export function refusalOf(
  e: UsageEvent,
  profiles: ReadonlyMap<string, unknown>,
): Refusal | undefined {
  if (e.id === '')
    return {
      reason: 'missing_id',
      message: 'id = "": missing: every usage event needs its unique id',
    };
  if (e.service === '') return { reason: 'missing_service', message: 'service = "": missing' };
  for (const [key, field] of NUMBERS) {
    const v = e[key];
    if (!(Number.isFinite(v) && v >= 0))
      return { reason: 'bad_number', message: `${field} = ${v}: must be a finite number >= 0` };
  }
  if (e.windowEndMs < e.windowStartMs)
    return {
      reason: 'bad_window',
      message: `window_end_ms = ${e.windowEndMs}: before window_start_ms ${e.windowStartMs}`,
    };
  if (!METHODS.has(e.energyMethod))
    return {
      reason: 'bad_energy_method',
      message: `energy_method = ${JSON.stringify(e.energyMethod)}: must be "measured", "modelled" or "mixed"`,
    };
  if (!profiles.has(e.profile))
    return {
      reason: 'unknown_profile',
      message: `profile = ${JSON.stringify(e.profile)}: unknown hardware profile; the ledger knows ${[...profiles.keys()].join(', ')}`,
    };
  return undefined;
}

/**
 * Turns a valid usage event into carbon with the factors in force over its window: the grid's
 * time-weighted mean intensity, the site's PUE, and the power model and embodied share of the
 * hardware profile the event names. Measured energy is used as measured; otherwise modelled.
 */
export class Booking {
  private readonly machines = new Map<string, MachineShare>();

  constructor(private readonly factors: BookingFactors) {}

  cost(e: UsageEvent): BookedEvent {
    let machine = this.machines.get(e.profile);
    if (machine === undefined) {
      machine = machineOf(this.factors.profiles.get(e.profile) as HardwareProfile);
      this.machines.set(e.profile, machine);
    }
    const grid = this.factors.grid.meanOver(e.windowStartMs, e.windowEndMs);
    const gridSource = this.factors.grid
      .segments(e.windowStartMs, e.windowEndMs)
      .map((s) => `${s.point.source}${s.point.year === undefined ? '' : ` (${s.point.year})`}`)
      .filter((s, i, all) => all.indexOf(s) === i)
      .join('; ');
    const c = attribute(
      e.busyS,
      machine,
      { gridGPerKwh: grid, pue: this.factors.pue },
      givenEnergyJ(e),
    );
    return {
      id: e.id,
      service: e.service,
      instance: e.instance,
      backend: e.backend,
      model: e.model,
      profile: e.profile,
      windowStartMs: e.windowStartMs,
      windowEndMs: e.windowEndMs,
      busyS: e.busyS,
      bytesMoved: e.bytesMoved,
      queries: e.queries,
      items: e.items,
      itEnergyJ: c.itEnergyJ,
      energyJ: c.energyJ,
      energyMethod: e.energyMethod,
      energySource: e.energySource,
      gridGPerKwh: grid,
      gridSource,
      pue: this.factors.pue,
      operationalG: c.operationalG,
      embodiedG: c.embodiedG,
      receiptOperationalG: e.receiptOperationalG,
      receiptEmbodiedG: e.receiptEmbodiedG,
    };
  }
}
