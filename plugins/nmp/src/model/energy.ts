/** Energy of a batch by where it goes, joules. The total is the sum of the terms. */
export interface EnergyBreakdown {
  /** DRAM row activations (ACT + PRE). */
  readonly activate: number;
  /** DRAM read bursts (array and internal datapath). */
  readonly read: number;
  /** Bits from DRAM devices to near-memory logic on the same DIMM. */
  readonly onDimmIo: number;
  /** Bits over the memory channel (host: every row; NMP: instructions and partial sums). */
  readonly channelIo: number;
  /** RankCache reads and fills. */
  readonly cache: number;
  /** Multiply-adds of the near-memory units. */
  readonly compute: number;
  /** DRAM standby and refresh of every rank while the batch runs. */
  readonly background: number;
  /** Static power of the near-memory units while the batch runs. */
  readonly nmpStatic: number;
}

export const ENERGY_TERMS = [
  'activate',
  'read',
  'onDimmIo',
  'channelIo',
  'cache',
  'compute',
  'background',
  'nmpStatic',
] as const satisfies readonly (keyof EnergyBreakdown)[];

export type MutableEnergy = { -readonly [K in keyof EnergyBreakdown]: number };

export function zeroEnergy(): MutableEnergy {
  return {
    activate: 0,
    read: 0,
    onDimmIo: 0,
    channelIo: 0,
    cache: 0,
    compute: 0,
    background: 0,
    nmpStatic: 0,
  };
}

export function totalEnergy(e: EnergyBreakdown): number {
  let sum = 0;
  for (const term of ENERGY_TERMS) sum += e[term];
  return sum;
}

/** a += b, term by term. */
export function addEnergy(a: MutableEnergy, b: EnergyBreakdown): void {
  for (const term of ENERGY_TERMS) a[term] += b[term];
}

/**
 * The energy the batch's accesses cause (commands, bits moved, cache, compute), without the
 * standby and static power drawn while it runs.
 */
export function dynamicEnergy(e: EnergyBreakdown): number {
  return totalEnergy(e) - e.background - e.nmpStatic;
}
