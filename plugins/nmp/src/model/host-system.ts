import { newLocation, type AddressMap, type Location } from './address-map';
import { issueOrder, type Job } from './job';
import type { Machine } from './machine';
import { finishOutcome, startEpoch, type SystemOutcome } from './outcome';
import { RankDram } from './rank-dram';
import { RowCache } from './row-cache';
import { SlotQueue } from './slot-queue';
import { Timeline } from './timeline';

/**
 * The plain host memory system the NMP hardware replaces: the same channels, DIMMs, ranks and
 * address mapping, an ordinary controller per channel (per-rank queues of 64-byte
 * transactions), and every row the host's cache misses crossing the channel to the CPU, which
 * pools them. Co-located operators' lookups interleave as concurrent threads issue them.
 */
export class HostSystem {
  private readonly ranks: RankDram[];
  private readonly queues: SlotQueue[];
  private readonly commandBuses: Timeline[];
  private readonly dataBuses: Timeline[];
  private readonly llc: RowCache;
  private readonly loc: Location = newLocation();

  constructor(
    private readonly m: Machine,
    private readonly map: AddressMap,
  ) {
    const d = m.config.dram;
    this.ranks = Array.from({ length: m.ranks }, () => new RankDram(m));
    this.queues = Array.from({ length: m.ranks }, () => new SlotQueue(d.queueDepth));
    this.commandBuses = Array.from({ length: m.channels }, () => new Timeline(1));
    this.dataBuses = Array.from({ length: m.channels }, () => new Timeline(m.burstCycles, d.tRTRS));
    const lines = Math.floor((m.config.host.cacheKiB * 1024) / m.burstBytes);
    this.llc = new RowCache(lines, lines > 0 ? 'lru' : 'off');
  }

  run(jobs: readonly Job[]): SystemOutcome {
    const m = this.m;
    const c = m.config;
    const out = startEpoch(jobs.length, this.ranks, this.queues, [
      ...this.commandBuses,
      ...this.dataBuses,
    ]);

    const order = issueOrder(jobs, false, c.nmp.packetInstructions);
    // The last-level cache sees the lookups in issue order, whatever the channel.
    const hits = new Uint8Array(order.job.length);
    for (let k = 0; k < order.job.length; k++) {
      const job = jobs[order.job[k] as number] as Job;
      const key = job.table.keyBase + (job.indices[order.position[k] as number] as number);
      if (this.llc.lookup(key)) hits[k] = 1;
      else this.llc.insert(key, job.table.bursts);
    }
    const bitsPerBurst = m.burstBytes * 8;
    for (let ch = 0; ch < m.channels; ch++) {
      let admitted = 0;
      for (let k = 0; k < order.job.length; k++) {
        const j = order.job[k] as number;
        const job = jobs[j] as Job;
        const t = job.table;
        const row = job.indices[order.position[k] as number] as number;
        if (row % m.channels !== ch) continue;
        if (hits[k] === 1) {
          out.jobHits[j] = (out.jobHits[j] as number) + 1;
          out.jobCycles[j] = Math.max(out.jobCycles[j] as number, admitted + c.host.cacheHitCycles);
          continue;
        }
        this.map.locate(t, row, this.loc);
        const r = this.loc.rank;
        const queue = this.queues[r] as SlotQueue;
        // Requests enter the controller in order, each when its rank's queue has room.
        admitted = Math.max(admitted, queue.spaceAt(t.bursts));
        const done = (this.ranks[r] as RankDram).read(
          this.loc,
          t.bursts,
          admitted,
          this.commandBuses[ch] as Timeline,
          this.dataBuses[ch] as Timeline,
          1 + (r % m.ranksPerChannel),
          out.jobCounters[j] as (typeof out.jobCounters)[number],
        );
        queue.push(t.bursts, done);
        out.jobCycles[j] = Math.max(out.jobCycles[j] as number, done);
        const e = out.jobEnergy[j] as (typeof out.jobEnergy)[number];
        e.channelIo += t.bursts * bitsPerBurst * c.links.channelPjPerBit;
      }
    }
    return finishOutcome(out, jobs, m, 0);
  }
}
