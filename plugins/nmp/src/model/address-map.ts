import { RecmeshError } from '@recmesh/errors';
import type { Machine } from './machine';

/** Where one table lives in the modelled memory. */
export interface TableLayout {
  readonly id: number;
  readonly rows: number;
  readonly dim: number;
  /** Bytes of one stored row (dtype-dependent). */
  readonly rowBytes: number;
  /** Bursts to read one row: rows start on a burst boundary and are padded to whole bursts. */
  readonly bursts: number;
  /** Bursts of one fp32 partial sum [dim] on the channel. */
  readonly psumBursts: number;
  readonly vectorsPerPage: number;
  /** First DRAM page of the table in every rank (pages counted over a rank's banks). */
  readonly pageBase: number;
  /** Key of row 0 in caches and profiles; rows of all tables get distinct keys. */
  readonly keyBase: number;
}

/** The DRAM coordinates of one row. */
export interface Location {
  channel: number;
  /** Rank index over the whole system. */
  rank: number;
  /** DIMM index over the whole system. */
  dimm: number;
  bankGroup: number;
  /** Bank index within the rank: bankGroup + bankGroups x bank. */
  bank: number;
  dramRow: number;
}

export function newLocation(): Location {
  return { channel: 0, rank: 0, dimm: 0, bankGroup: 0, bank: 0, dramRow: 0 };
}

/**
 * The address mapping (documented in docs/nmp-calibration.md):
 * - rows are interleaved over channels, then over the ranks of a channel, one whole row per
 *   rank (RecNMP's rank-level parallelism needs a row in one rank): channel = r mod C,
 *   rank = (r div C) mod R;
 * - within a rank, the table's u-th row (u = r div (C x R)) sits in page pageBase + u div V
 *   (V rows per page), and consecutive pages rotate over bank groups, then banks, then DRAM
 *   rows: Ro:Ba:Bg:Co, so neighbouring rows share a page (row-buffer hits) and neighbouring
 *   pages sit in different bank groups.
 */
export class AddressMap {
  private nextPage = 0;
  private nextKey = 0;
  private nextId = 0;
  readonly pagesPerRank: number;

  constructor(private readonly m: Machine) {
    this.pagesPerRank = m.banksPerRank * m.config.dram.rowsPerBank;
  }

  /** Places a table after the ones placed before; throws when the ranks are full. */
  place(rows: number, dim: number, rowBytes: number): TableLayout {
    const m = this.m;
    const bursts = Math.max(1, Math.ceil(rowBytes / m.burstBytes));
    if (bursts > m.burstsPerPage) {
      throw new RecmeshError(
        'failed_precondition',
        `a row of ${rowBytes} bytes is longer than a DRAM page (${m.pageBytes} bytes): the nmp model keeps a row in one page`,
      );
    }
    const vectorsPerPage = Math.floor(m.burstsPerPage / bursts);
    const rowsPerRank = Math.ceil(rows / m.ranks);
    const pages = Math.ceil(rowsPerRank / vectorsPerPage);
    if (this.nextPage + pages > this.pagesPerRank) {
      const capacity = this.pagesPerRank * m.pageBytes * m.ranks;
      throw new RecmeshError(
        'failed_precondition',
        `the tables need more than the modelled memory holds (${capacity} bytes over ${m.ranks} ranks); raise topology or dram.rowsPerBank`,
        { field: 'dram.rowsPerBank', value: m.config.dram.rowsPerBank },
      );
    }
    const layout: TableLayout = {
      id: this.nextId++,
      rows,
      dim,
      rowBytes,
      bursts,
      psumBursts: Math.max(1, Math.ceil((dim * 4) / m.burstBytes)),
      vectorsPerPage,
      pageBase: this.nextPage,
      keyBase: this.nextKey,
    };
    this.nextPage += pages;
    this.nextKey += rows;
    return layout;
  }

  /** Fills `out` with the location of `row` of `table`. */
  locate(table: TableLayout, row: number, out: Location): void {
    const m = this.m;
    const d = m.config.dram;
    const channel = row % m.channels;
    const inChannel = Math.floor(row / m.channels) % m.ranksPerChannel;
    const u = Math.floor(row / m.ranks);
    const page = table.pageBase + Math.floor(u / table.vectorsPerPage);
    const bankGroup = page % d.bankGroups;
    const bankInGroup = Math.floor(page / d.bankGroups) % d.banksPerGroup;
    out.channel = channel;
    out.rank = channel * m.ranksPerChannel + inChannel;
    out.dimm = channel * m.dimmsPerChannel + Math.floor(inChannel / m.ranksPerDimm);
    out.bankGroup = bankGroup;
    out.bank = bankGroup + d.bankGroups * bankInGroup;
    out.dramRow = Math.floor(page / m.banksPerRank);
  }
}
