import { newLocation, type AddressMap, type Location } from './address-map';
import { bagsOf, issueOrder, type Job } from './job';
import type { Machine } from './machine';
import { finishOutcome, startEpoch, type SystemOutcome } from './outcome';
import { RankDram } from './rank-dram';
import { RowCache } from './row-cache';
import { SlotQueue } from './slot-queue';
import { Timeline } from './timeline';

const WRITE = 1; // channel bus tag of instruction packets; partial sums use 2 + DIMM in channel

/**
 * RecNMP: a rank-NMP unit and a RankCache per rank, a DIMM-NMP unit per DIMM. The host sends
 * each lookup as an NMP instruction, packed into packets on the channel; the rank holding the
 * row reads it (or hits its RankCache) and multiply-adds it into the bag's partial sum; each
 * DIMM adds its ranks' partial sums and sends one per bag over the channel. Only instructions
 * and partial sums cross the channel; ranks stream their rows in parallel.
 */
export class NmpSystem {
  private readonly ranks: RankDram[];
  private readonly caches: RowCache[];
  private readonly queues: SlotQueue[];
  /** Per DIMM: the command bus from its buffer to its ranks. */
  private readonly commandBuses: Timeline[];
  /** Per channel: the data bus between host and DIMMs. */
  private readonly channelBuses: Timeline[];
  private readonly loc: Location = newLocation();
  /** Per rank, in the epoch: when its RankCache port and its multiply-add unit are free. */
  private readonly cacheFree: Float64Array;
  private readonly computeFree: Float64Array;

  constructor(
    private readonly m: Machine,
    private readonly map: AddressMap,
  ) {
    const c = m.config;
    this.ranks = Array.from({ length: m.ranks }, () => new RankDram(m));
    this.cacheFree = new Float64Array(m.ranks);
    this.computeFree = new Float64Array(m.ranks);
    const lines = Math.floor((c.cache.kib * 1024) / m.burstBytes);
    this.caches = Array.from({ length: m.ranks }, () => new RowCache(lines, c.cache.policy));
    this.queues = Array.from({ length: m.ranks }, () => new SlotQueue(c.dram.queueDepth));
    this.commandBuses = Array.from({ length: m.dimms }, () => new Timeline(1));
    this.channelBuses = Array.from(
      { length: m.channels },
      () => new Timeline(m.burstCycles, c.dram.tRTRS),
    );
  }

  run(jobs: readonly Job[]): SystemOutcome {
    const m = this.m;
    const c = m.config;
    const out = startEpoch(jobs.length, this.ranks, this.queues, [
      ...this.commandBuses,
      ...this.channelBuses,
    ]);

    const hotRows = c.profiling.enabled
      ? jobs.map((job) => profile(job, c.profiling.hotThreshold))
      : undefined;
    const order = issueOrder(jobs, c.scheduling.tableAware, c.nmp.packetInstructions);
    const bagOf = jobs.map(bagsOf);
    // Per job, per bag and DIMM: when the DIMM's partial sum is complete (-1: no lookup).
    const psumReady = jobs.map((j) => new Float64Array(j.offsets.length * m.dimms).fill(-1));
    this.cacheFree.fill(0);
    this.computeFree.fill(0);
    const bitsPerBurst = m.burstBytes * 8;
    const packetSlots = new Int32Array(m.ranks);

    for (let ch = 0; ch < m.channels; ch++) {
      const bus = this.channelBuses[ch] as Timeline;
      const stream: number[] = [];
      // Per job: its lookups on this channel not yet issued (its pins end with the last).
      const left = new Int32Array(jobs.length);
      for (let k = 0; k < order.job.length; k++) {
        const j = order.job[k] as number;
        const row = jobs[j]?.indices[order.position[k] as number] as number;
        if (row % m.channels === ch) {
          stream.push(k);
          left[j] = (left[j] as number) + 1;
        }
      }
      let packetEnd = 0;
      for (let first = 0; first < stream.length; first += c.nmp.packetInstructions) {
        const packet = stream.slice(first, first + c.nmp.packetInstructions);
        // The packet leaves when every target rank has room for its instructions.
        packetSlots.fill(0);
        let ready = packetEnd;
        for (const k of packet) {
          const job = jobs[order.job[k] as number] as Job;
          this.map.locate(job.table, job.indices[order.position[k] as number] as number, this.loc);
          const r = this.loc.rank;
          packetSlots[r] = (packetSlots[r] as number) + job.table.bursts;
          ready = Math.max(ready, (this.queues[r] as SlotQueue).spaceAt(packetSlots[r] as number));
        }
        const bursts = Math.ceil((packet.length * c.nmp.instructionBits) / bitsPerBurst);
        const len = bursts * m.burstCycles;
        const sent = bus.firstFit(ready, len, WRITE);
        bus.reserve(sent, len, WRITE);
        packetEnd = sent + len;
        const arrival = packetEnd + c.nmp.decodeCycles;
        for (const k of packet) {
          const j = order.job[k] as number;
          const i = order.position[k] as number;
          const done = this.serve(jobs[j] as Job, j, i, arrival, hotRows?.[j], out);
          const slot = (bagOf[j]?.[i] as number) * m.dimms + this.loc.dimm;
          const sums = psumReady[j] as Float64Array;
          sums[slot] = Math.max(sums[slot] as number, done);
          left[j] = (left[j] as number) - 1;
          if (left[j] === 0 && hotRows !== undefined) this.unpinChannel(ch, j);
        }
      }
      this.returnPartialSums(ch, jobs, psumReady, out);
    }
    for (const cache of this.caches) cache.unpin();

    return finishOutcome(out, jobs, m, m.ranks * c.nmp.staticMwPerRank);
  }

  /**
   * Lookup `i` of job `j`, arriving at its rank at `arrival`: the RankCache or DRAM, then the
   * rank-NMP unit's multiply-add. Leaves the row's location in this.loc; returns the cycle the
   * row is in the bag's partial sum.
   */
  private serve(
    job: Job,
    j: number,
    i: number,
    arrival: number,
    hotRows: Set<number> | undefined,
    out: SystemOutcome,
  ): number {
    const m = this.m;
    const c = m.config;
    const t = job.table;
    const row = job.indices[i] as number;
    this.map.locate(t, row, this.loc);
    const r = this.loc.rank;
    const key = t.keyBase + row;
    // Profiling: hot rows are cached and pinned for this batch, cold rows bypass the cache.
    const hot = hotRows === undefined || hotRows.has(key);
    const owner = hotRows !== undefined && hot ? j : -1;
    const cache = this.caches[r] as RowCache;
    const e = out.jobEnergy[j] as (typeof out.jobEnergy)[number];
    const lineEnergy = t.bursts * 8 * m.cachePjPer64Bits;
    let dataReady: number;
    if (cache.lookup(key, owner)) {
      const start = Math.max(arrival, this.cacheFree[r] as number);
      this.cacheFree[r] = start + t.bursts; // one 64-byte line a cycle
      dataReady = start + c.cache.hitCycles + t.bursts - 1;
      e.cache += lineEnergy;
      out.jobHits[j] = (out.jobHits[j] as number) + 1;
    } else {
      dataReady = (this.ranks[r] as RankDram).read(
        this.loc,
        t.bursts,
        arrival,
        this.commandBuses[this.loc.dimm] as Timeline,
        undefined,
        0,
        out.jobCounters[j] as (typeof out.jobCounters)[number],
      );
      e.onDimmIo += t.bursts * m.burstBytes * 8 * c.links.onDimmPjPerBit;
      if (hot && cache.insert(key, t.bursts, owner)) e.cache += lineEnergy;
    }
    (this.queues[r] as SlotQueue).push(t.bursts, dataReady);
    const start = Math.max(dataReady, this.computeFree[r] as number);
    this.computeFree[r] = start + Math.ceil(t.dim / c.nmp.lanes);
    e.compute += t.dim * c.nmp.macPj;
    e.channelIo += c.nmp.instructionBits * c.links.channelPjPerBit;
    return this.computeFree[r] as number;
  }

  /** Job `j` has issued its last lookup on channel `ch`: its pins there end. */
  private unpinChannel(ch: number, j: number): void {
    const first = ch * this.m.ranksPerChannel;
    for (let r = first; r < first + this.m.ranksPerChannel; r++) this.caches[r]?.unpin(j);
  }

  /** Each DIMM's partial sums cross the channel as they complete (after the DIMM-NMP adds). */
  private returnPartialSums(
    ch: number,
    jobs: readonly Job[],
    psumReady: readonly Float64Array[],
    out: SystemOutcome,
  ): void {
    const m = this.m;
    const c = m.config;
    const bus = this.channelBuses[ch] as Timeline;
    const sends: { job: number; dimm: number; ready: number }[] = [];
    psumReady.forEach((sums, j) => {
      for (let s = 0; s < sums.length; s++) {
        const ready = sums[s] as number;
        const dimm = s % m.dimms;
        if (ready >= 0 && Math.floor(dimm / m.dimmsPerChannel) === ch) {
          sends.push({ job: j, dimm, ready: ready + c.nmp.mergeCycles });
        }
      }
    });
    sends.sort((a, b) => a.ready - b.ready);
    const bitsPerBurst = m.burstBytes * 8;
    for (const send of sends) {
      const t = (jobs[send.job] as Job).table;
      const tag = 2 + (send.dimm % m.dimmsPerChannel);
      let at = send.ready;
      for (let k = 0; k < t.psumBursts; k++) {
        const start = bus.firstFit(at, m.burstCycles, tag);
        bus.reserve(start, m.burstCycles, tag);
        at = start + m.burstCycles;
      }
      out.jobCycles[send.job] = Math.max(out.jobCycles[send.job] as number, at);
      const e = out.jobEnergy[send.job] as (typeof out.jobEnergy)[number];
      e.channelIo += t.psumBursts * bitsPerBurst * c.links.channelPjPerBit;
    }
  }
}

/**
 * Hot-entry profiling (RecNMP): the host counts a batch's indices before it sends them; rows
 * read at least `threshold` times get the locality bit (cached, pinned for the batch).
 */
function profile(job: Job, threshold: number): Set<number> {
  const counts = new Map<number, number>();
  for (const row of job.indices) counts.set(row, (counts.get(row) ?? 0) + 1);
  const hot = new Set<number>();
  for (const [row, n] of counts) if (n >= threshold) hot.add(job.table.keyBase + row);
  return hot;
}
