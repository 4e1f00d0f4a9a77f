import type { NmpConfig } from '../config/defaults';

/**
 * Quantities derived once from a configuration: the memory system's shape and the energy of
 * each DRAM command. Times are in DRAM clock cycles (tCK), energies in pJ, powers in mW.
 */
export interface Machine {
  readonly config: NmpConfig;
  readonly channels: number;
  readonly dimmsPerChannel: number;
  readonly ranksPerDimm: number;
  readonly ranksPerChannel: number;
  readonly ranks: number;
  readonly dimms: number;
  readonly banksPerRank: number;
  /** Cycles one burst occupies a data bus: burstLength / 2 (two beats a cycle). */
  readonly burstCycles: number;
  /** Bytes one burst moves: the rank's bus width times the burst length. */
  readonly burstBytes: number;
  /** Bytes of one row (page) across the rank's devices. */
  readonly pageBytes: number;
  readonly burstsPerPage: number;
  /** Energy of an ACT (and its PRE) on one rank [DRAMsim3 InitPowerParams]. */
  readonly actPj: number;
  /** Energy of one read burst on one rank [DRAMsim3 InitPowerParams]. */
  readonly readPj: number;
  /** Background power of one rank: active (open page) or precharge (closed) standby. */
  readonly standbyMw: number;
  /** Refresh power of one rank, averaged over tREFI. */
  readonly refreshMw: number;
  /** Energy of one 64-bit RankCache access. */
  readonly cachePjPer64Bits: number;
}

/**
 * Energy of a 64-bit read from an SRAM of `kib` KiB: a power law through [Horowitz]'s 45 nm
 * points (8 KB: 10 pJ, 32 KB: 20 pJ, 1 MB: 100 pJ), extended past them with the nearest slope.
 */
export function sramPjPer64Bits(kib: number): number {
  const points: readonly [number, number][] = [
    [8, 10],
    [32, 20],
    [1024, 100],
  ];
  const size = Math.max(kib, 1);
  const i = size <= 32 ? 0 : 1;
  const [k0, e0] = points[i] as [number, number];
  const [k1, e1] = points[i + 1] as [number, number];
  const slope = Math.log(e1 / e0) / Math.log(k1 / k0);
  return e0 * Math.pow(size / k0, slope);
}

export function machineOf(config: NmpConfig): Machine {
  const { topology: t, dram: d, power: p } = config;
  const ranksPerChannel = t.dimmsPerChannel * t.ranksPerDimm;
  const burstCycles = d.burstLength / 2;
  const busBits = d.deviceWidth * d.devicesPerRank;
  const burstBytes = (busBits * d.burstLength) / 8;
  const pageBytes = (d.columns * busBits) / 8;
  const ns = d.tCKns;
  const devices = d.devicesPerRank;
  const tRC = d.tRAS + d.tRP;
  // V x mA x ns = pJ; a command acts on every device of the rank.
  const actPj = p.VDD * (p.IDD0 * tRC - (p.IDD3N * d.tRAS + p.IDD2N * d.tRP)) * ns * devices;
  const readPj = p.VDD * (p.IDD4R - p.IDD3N) * burstCycles * ns * devices;
  const standbyMw = p.VDD * (d.pagePolicy === 'open' ? p.IDD3N : p.IDD2N) * devices;
  const refreshPj = p.VDD * (p.IDD5AB - p.IDD3N) * p.tRFC * ns * devices;
  return {
    config,
    channels: t.channels,
    dimmsPerChannel: t.dimmsPerChannel,
    ranksPerDimm: t.ranksPerDimm,
    ranksPerChannel,
    ranks: t.channels * ranksPerChannel,
    dimms: t.channels * t.dimmsPerChannel,
    banksPerRank: d.bankGroups * d.banksPerGroup,
    burstCycles,
    burstBytes,
    pageBytes,
    burstsPerPage: d.columns / d.burstLength,
    actPj,
    readPj,
    standbyMw,
    refreshMw: refreshPj / (p.tREFI * ns),
    cachePjPer64Bits:
      config.cache.pjPer64Bits > 0 ? config.cache.pjPer64Bits : sramPjPer64Bits(config.cache.kib),
  };
}
