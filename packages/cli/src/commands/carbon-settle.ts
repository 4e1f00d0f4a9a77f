import type { RankResponse, ReportResponse } from '@recmesh/proto';
import { fetchReport } from './carbon-client';

/** The receipts a client collected from Rank replies. */
export class ReceiptTally {
  operationalG = 0;
  embodiedG = 0;
  queries = 0;

  add(reply: RankResponse): void {
    if (reply.carbon === undefined) return;
    this.operationalG += reply.carbon.operationalG;
    this.embodiedG += reply.carbon.embodiedG;
    this.queries++;
  }

  get totalG(): number {
    return this.operationalG + this.embodiedG;
  }
}

/**
 * The ledger's books once a run's usage is all in: the receipts the orchestrators booked equal
 * the client's tally and no event arrived for `quietMs` (every service's last window closed).
 */
export async function settledBooks(
  ledger: string,
  tally: ReceiptTally,
  timeoutMs = 30_000,
  quietMs = 1500,
): Promise<ReportResponse> {
  const end = Date.now() + timeoutMs;
  let events = -1;
  let quietSince = Date.now();
  for (;;) {
    const r = await fetchReport(ledger, { sinceS: 0, windowS: 0 });
    if (r.events !== events) [events, quietSince] = [r.events, Date.now()];
    const receiptsIn = Math.abs(r.receiptsG - tally.totalG) <= 1e-9 * tally.totalG;
    if ((receiptsIn && Date.now() - quietSince >= quietMs) || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Receipts beside the books, for a run's summary. */
export function receiptsVsBooks(tally: ReceiptTally, books: ReportResponse) {
  return {
    receipts_g: tally.totalG,
    receipts_operational_g: tally.operationalG,
    receipts_embodied_g: tally.embodiedG,
    ledger_g: books.totalG,
    ledger_operational_g: books.operationalG,
    ledger_embodied_g: books.embodiedG,
    relative_difference: books.totalG > 0 ? (tally.totalG - books.totalG) / books.totalG : 0,
    sci_g_per_query: books.gPerQuery,
    ledger_queries: books.queries,
    ledger_events: books.events,
  };
}
