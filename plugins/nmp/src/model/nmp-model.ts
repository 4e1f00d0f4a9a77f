import type { Dtype } from '@recmesh/backend';
import type { NmpConfig } from '../config/defaults';
import { AddressMap, type TableLayout } from './address-map';
import { ENERGY_TERMS, totalEnergy, type EnergyBreakdown, type MutableEnergy } from './energy';
import { HostSystem } from './host-system';
import type { Job } from './job';
import { machineOf, type Machine } from './machine';
import { NmpSystem } from './nmp-system';
import type { DramCounters } from './rank-dram';
import type { SystemOutcome } from './outcome';

/** One batch on both memory systems. Seconds and joules. */
export interface BatchModel {
  readonly lookups: number;
  readonly nmpLatencyS: number;
  readonly hostLatencyS: number;
  readonly nmpEnergyJ: number;
  readonly hostEnergyJ: number;
  readonly nmpEnergy: EnergyBreakdown;
  readonly hostEnergy: EnergyBreakdown;
  /** Lookups served by the RankCaches. */
  readonly cacheHits: number;
  readonly cacheHitRate: number;
  readonly nmpDram: DramCounters;
  readonly hostDram: DramCounters;
}

/** One epoch: the batches the device ran together, each measured from the epoch's start. */
export interface EpochModel {
  readonly nmpLatencyS: number;
  readonly hostLatencyS: number;
  readonly batches: readonly BatchModel[];
}

/** Bytes of one stored row of `dtype` (int8: codes plus fp32 scale and bias). */
export function rowBytesOf(dtype: Dtype, dim: number): number {
  return dtype === 'fp32' ? dim * 4 : dtype === 'fp16' ? dim * 2 : dim + 8;
}

function toJoules(e: MutableEnergy): EnergyBreakdown {
  const out = { ...e };
  for (const term of ENERGY_TERMS) out[term] = e[term] * 1e-12;
  return out;
}

/**
 * The hardware model: RecNMP and the plain host memory system side by side, fed the same
 * batches. State that outlives a batch (open rows, RankCache and LLC contents) carries over.
 */
export class NmpModel {
  readonly machine: Machine;
  private readonly map: AddressMap;
  private readonly nmp: NmpSystem;
  private readonly host: HostSystem;

  constructor(readonly config: NmpConfig) {
    this.machine = machineOf(config);
    this.map = new AddressMap(this.machine);
    this.nmp = new NmpSystem(this.machine, this.map);
    this.host = new HostSystem(this.machine, this.map);
  }

  /** Places a table in the modelled memory, after the tables placed before it. */
  place(rows: number, dim: number, dtype: Dtype): TableLayout {
    return this.map.place(rows, dim, rowBytesOf(dtype, dim));
  }

  /** Runs `jobs` as one epoch on both systems. */
  run(jobs: readonly Job[]): EpochModel {
    const nmp = this.nmp.run(jobs);
    const host = this.host.run(jobs);
    const seconds = (cycles: number) => cycles * this.config.dram.tCKns * 1e-9;
    const batches = jobs.map((job, j) => this.batch(job, j, nmp, host, seconds));
    return { nmpLatencyS: seconds(nmp.cycles), hostLatencyS: seconds(host.cycles), batches };
  }

  private batch(
    job: Job,
    j: number,
    nmp: SystemOutcome,
    host: SystemOutcome,
    seconds: (cycles: number) => number,
  ): BatchModel {
    const nmpEnergy = toJoules(nmp.jobEnergy[j] as MutableEnergy);
    const hostEnergy = toJoules(host.jobEnergy[j] as MutableEnergy);
    const lookups = job.indices.length;
    const hits = nmp.jobHits[j] as number;
    return {
      lookups,
      nmpLatencyS: seconds(nmp.jobCycles[j] as number),
      hostLatencyS: seconds(host.jobCycles[j] as number),
      nmpEnergyJ: totalEnergy(nmpEnergy),
      hostEnergyJ: totalEnergy(hostEnergy),
      nmpEnergy,
      hostEnergy,
      cacheHits: hits,
      cacheHitRate: lookups > 0 ? hits / lookups : 0,
      nmpDram: nmp.jobCounters[j] as DramCounters,
      hostDram: host.jobCounters[j] as DramCounters,
    };
  }
}
