import { meter } from '@recmesh/telemetry';

/** The ledger's counters (Prometheus /metrics and OTLP). */
export function ledgerMetrics() {
  const m = meter();
  return {
    booked: m.createCounter('recmesh_ledger_events_booked', {
      description: 'usage events booked (stored once by id)',
    }),
    duplicates: m.createCounter('recmesh_ledger_events_duplicate', {
      description: 'usage events seen again (redelivered or re-sent) and not counted twice',
    }),
    rejected: m.createCounter('recmesh_ledger_events_rejected', {
      description:
        'usage events refused, by reason (kept in the rejected_events table and terminated)',
    }),
    carbon: m.createCounter('recmesh_ledger_carbon', {
      description: 'carbon booked, by kind (operational, embodied)',
      unit: 'g',
    }),
  };
}

export type LedgerMetrics = ReturnType<typeof ledgerMetrics>;
