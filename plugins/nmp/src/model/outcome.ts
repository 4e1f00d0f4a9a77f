import type { Job } from './job';
import type { Machine } from './machine';
import { zeroCounters, type DramCounters, type RankDram } from './rank-dram';
import type { SlotQueue } from './slot-queue';
import type { Timeline } from './timeline';
import { zeroEnergy, type MutableEnergy } from './energy';

/** What one memory system did with one epoch of jobs. Times in cycles, energies in pJ. */
export interface SystemOutcome {
  /** From the epoch's start to the end of its last job. */
  cycles: number;
  /** Per job: the cycle its last pooled result reached the host. */
  readonly jobCycles: Float64Array;
  /** Per job: its energy, including its share (by lookups) of the epoch's background. */
  readonly jobEnergy: MutableEnergy[];
  /** Per job: DRAM commands its lookups caused. */
  readonly jobCounters: DramCounters[];
  /** Per job: lookups served by a cache. */
  readonly jobHits: Float64Array;
}

/**
 * Opens an epoch: the ranks have been idle long enough for every timing constraint to lapse,
 * queues and buses are empty (open rows and cache contents carry over).
 */
export function startEpoch(
  jobs: number,
  ranks: readonly RankDram[],
  queues: readonly SlotQueue[],
  buses: readonly Timeline[],
): SystemOutcome {
  for (const r of ranks) r.restart();
  for (const q of queues) q.restart();
  for (const b of buses) b.reset();
  return emptyOutcome(jobs);
}

function emptyOutcome(jobs: number): SystemOutcome {
  return {
    cycles: 0,
    jobCycles: new Float64Array(jobs),
    jobEnergy: Array.from({ length: jobs }, zeroEnergy),
    jobCounters: Array.from({ length: jobs }, zeroCounters),
    jobHits: new Float64Array(jobs),
  };
}

/**
 * Closes an epoch: its length, the DRAM command energies of each job, and the power drawn over
 * the whole epoch (every rank's standby and refresh, plus `staticMw`) shared among the jobs by
 * their lookups.
 */
export function finishOutcome(
  out: SystemOutcome,
  jobs: readonly Job[],
  m: Machine,
  staticMw: number,
): SystemOutcome {
  out.cycles = out.jobCycles.reduce((a, b) => Math.max(a, b), 0);
  out.jobCounters.forEach((counters, j) => {
    const e = out.jobEnergy[j] as MutableEnergy;
    e.activate += counters.acts * m.actPj;
    e.read += counters.reads * m.readPj;
  });
  const lookups = jobs.map((j) => j.indices.length);
  const total = lookups.reduce((a, b) => a + b, 0);
  const ns = out.cycles * m.config.dram.tCKns;
  const backgroundPj = m.ranks * (m.standbyMw + m.refreshMw) * ns; // mW x ns = pJ
  const staticPj = staticMw * ns;
  out.jobEnergy.forEach((e, j) => {
    const share = total > 0 ? (lookups[j] as number) / total : 1 / jobs.length;
    e.background += backgroundPj * share;
    e.nmpStatic += staticPj * share;
  });
  return out;
}
