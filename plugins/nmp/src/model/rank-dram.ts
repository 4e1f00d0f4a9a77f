import type { Location } from './address-map';
import type { Machine } from './machine';
import { Timeline } from './timeline';

/** Command counts of a rank, for energy and row-buffer statistics. */
export interface DramCounters {
  acts: number;
  reads: number;
  rowHits: number;
  rowMisses: number;
  rowConflicts: number;
}

export function zeroCounters(): DramCounters {
  return { acts: 0, reads: 0, rowHits: 0, rowMisses: 0, rowConflicts: 0 };
}

const NEVER = -1e15;
const COMMAND = 1;

/**
 * One rank's DDR4 command timing. Each bank is a state machine (open row, last ACT, last RD,
 * precharged at); the rank enforces tRRD_S/L and tFAW between ACTs and tCCD_S/L between RDs;
 * commands take a slot on the command bus the rank shares, and data a slot on the data bus it
 * crosses. Requests to one bank are served in order; a request may take any earlier slot that
 * every constraint allows (an out-of-order controller with a bounded queue, see SlotQueue).
 * The open rows persist across epochs; the times restart with each epoch.
 */
export class RankDram {
  /** RD commands: tag = bank group + 1. */
  private readonly rd: Timeline;
  /** ACT commands: tag = bank group + 1. */
  private readonly act: Timeline;
  private readonly openRow: Int32Array;
  private readonly actAt: Float64Array;
  private readonly lastRdAt: Float64Array;
  private readonly preDoneAt: Float64Array;
  /** First RD of the rank's latest request: the next request's reads may interleave from here. */
  private lastStart = 0;
  private readonly near: number[] = [];

  constructor(private readonly m: Machine) {
    const d = m.config.dram;
    // An RD needs tCCD_S free cycles on either side, an ACT tRRD_S.
    this.rd = new Timeline(2 * d.tCCD_S - 1);
    this.act = new Timeline(2 * d.tRRD_S - 1);
    this.openRow = new Int32Array(m.banksPerRank).fill(-1);
    this.actAt = new Float64Array(m.banksPerRank);
    this.lastRdAt = new Float64Array(m.banksPerRank);
    this.preDoneAt = new Float64Array(m.banksPerRank);
    this.restart();
  }

  /** A new epoch: the rank has been idle long enough for every timing constraint to lapse. */
  restart(): void {
    this.rd.reset();
    this.act.reset();
    this.actAt.fill(NEVER);
    this.lastRdAt.fill(NEVER);
    this.preDoneAt.fill(0);
    this.lastStart = 0;
  }

  /**
   * Reads `bursts` bursts of `loc`'s row, no earlier than `earliest`. `data` is the shared bus
   * the bursts cross (with this rank's `tag`), or undefined where the rank's own path carries
   * them (near-memory units; tCCD already spaces the bursts). Returns the cycle the last burst
   * has arrived.
   */
  read(
    loc: Location,
    bursts: number,
    earliest: number,
    cmd: Timeline,
    data: Timeline | undefined,
    tag: number,
    counters: DramCounters,
  ): number {
    const d = this.m.config.dram;
    const b = loc.bank;
    let rdEarliest: number;
    if (this.openRow[b] === loc.dramRow) {
      counters.rowHits++;
      rdEarliest = Math.max(earliest, (this.actAt[b] as number) + d.tRCD);
    } else {
      let actEarliest = Math.max(earliest, this.preDoneAt[b] as number);
      if ((this.openRow[b] as number) >= 0) {
        counters.rowConflicts++;
        const preEarliest = Math.max(
          earliest,
          (this.actAt[b] as number) + d.tRAS,
          (this.lastRdAt[b] as number) + d.tRTP,
        );
        const pre = cmd.firstFit(preEarliest, 1, COMMAND);
        cmd.reserve(pre, 1, COMMAND);
        actEarliest = Math.max(actEarliest, pre + d.tRP);
      } else {
        counters.rowMisses++;
      }
      // Activate just in time: no earlier than the previous request's reads need (the bank
      // would only sit open), so the two requests' reads interleave over bank groups.
      actEarliest = Math.max(actEarliest, this.lastStart - d.tRCD);
      const t = this.findAct(actEarliest, loc.bankGroup, cmd);
      this.act.reserve(t, 1, loc.bankGroup + 1);
      cmd.reserve(t, 1, COMMAND);
      counters.acts++;
      this.actAt[b] = t;
      this.openRow[b] = loc.dramRow;
      rdEarliest = t + d.tRCD;
    }
    const len = this.m.burstCycles;
    rdEarliest = Math.max(rdEarliest, this.lastStart);
    let end = 0;
    for (let k = 0; k < bursts; k++) {
      const t = this.findRd(rdEarliest, loc.bankGroup, cmd, data, tag);
      this.rd.reserve(t, 1, loc.bankGroup + 1);
      cmd.reserve(t, 1, COMMAND);
      data?.reserve(t + d.CL, len, tag);
      if (k === 0) this.lastStart = t;
      if (t > (this.lastRdAt[b] as number)) this.lastRdAt[b] = t;
      // The same bank, so the same bank group: at least tCCD_L; and 2 x tCCD_S, so that a
      // read of another bank group can go between two of this row's (bank-group interleaving).
      rdEarliest = t + Math.max(d.tCCD_L, 2 * d.tCCD_S);
      end = Math.max(end, t + d.CL + len);
    }
    counters.reads += bursts;
    if (d.pagePolicy === 'closed') {
      // Auto-precharge (RDA): no command slot; the bank is closed for the next request.
      this.preDoneAt[b] =
        Math.max((this.lastRdAt[b] as number) + d.tRTP, (this.actAt[b] as number) + d.tRAS) + d.tRP;
      this.openRow[b] = -1;
    }
    return end;
  }

  private findAct(earliest: number, group: number, cmd: Timeline): number {
    const d = this.m.config.dram;
    let t = Math.max(earliest, this.act.floor);
    for (;;) {
      if (!cmd.isFree(t)) {
        t++;
        continue;
      }
      const next = this.spacingAllowed(this.act, t, group, d.tRRD_S, d.tRRD_L);
      if (next > t) t = next;
      else if (!this.fawAllowed(t)) t++;
      else return t;
    }
  }

  private findRd(
    earliest: number,
    group: number,
    cmd: Timeline,
    data: Timeline | undefined,
    tag: number,
  ): number {
    const d = this.m.config.dram;
    const len = this.m.burstCycles;
    let t = Math.max(earliest, this.rd.floor, data === undefined ? 0 : data.floor - d.CL);
    for (;;) {
      if (data !== undefined) t = data.firstFit(t + d.CL, len, tag) - d.CL;
      if (!cmd.isFree(t)) {
        t++;
        continue;
      }
      const next = this.spacingAllowed(this.rd, t, group, d.tCCD_S, d.tCCD_L);
      if (next > t) t = next;
      else return t;
    }
  }

  /**
   * Whether a command of `line` may go at t: none within `short` cycles of it, none of the same
   * bank group within `long`. Returns t when it may, else the first later cycle that clears
   * the commands found (to be checked again).
   */
  private spacingAllowed(
    line: Timeline,
    t: number,
    group: number,
    short: number,
    long: number,
  ): number {
    let next = t;
    if (line.tagAt(t) !== 0) next = t + (line.tagAt(t) === group + 1 ? long : short);
    for (let dd = 1; dd < long; dd++) {
      const before = line.tagAt(t - dd);
      if (before !== 0) {
        const gap = before === group + 1 ? long : short;
        if (dd < gap) next = Math.max(next, t - dd + gap);
      }
      const after = line.tagAt(t + dd);
      if (after !== 0) {
        const gap = after === group + 1 ? long : short;
        if (dd < gap) next = Math.max(next, t + dd + gap);
      }
    }
    return next;
  }

  /** tFAW: no five ACTs of the rank within tFAW cycles. */
  private fawAllowed(t: number): boolean {
    const d = this.m.config.dram;
    const near = this.near;
    near.length = 0;
    for (let s = t - d.tFAW + 1; s < t + d.tFAW; s++) {
      if (s === t) near.push(t);
      else if (this.act.tagAt(s) !== 0) near.push(s);
    }
    for (let i = 0; i + 4 < near.length; i++) {
      if ((near[i + 4] as number) - (near[i] as number) < d.tFAW) return false;
    }
    return true;
  }
}
