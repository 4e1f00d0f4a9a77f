import type { UsageEvent } from '@recmesh/proto';

/** A valid usage event of one busy second on the shipped R740 profile, with `over` applied. */
export function usageEvent(over: Partial<UsageEvent> = {}): UsageEvent {
  const now = Date.now();
  return {
    id: 'x',
    service: 'embedding-shard',
    instance: 'test',
    backend: 'cpu',
    model: 'rmc1',
    windowStartMs: now - 1000,
    windowEndMs: now,
    busyS: 1,
    bytesMoved: 0,
    energyJ: 0,
    energyMethod: 'modelled',
    energySource: '',
    queries: 1,
    items: 0,
    profile: 'dell-r740',
    receiptOperationalG: 0,
    receiptEmbodiedG: 0,
    ...over,
  };
}
