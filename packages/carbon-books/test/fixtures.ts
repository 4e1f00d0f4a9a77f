// Shared test inputs (not a test file): a fixed machine profile, a grid series, usage events.
import { GridSeries, parseProfile, type HardwareProfile } from '@recmesh/carbon';
import type { UsageEvent } from '@recmesh/proto';

/**
 * A 10-unit machine whose numbers make hand arithmetic easy: 10 W idle, 110 W max (11 J per busy
 * unit-second), 1 kg embodied over a life of 1 year of 8766 h.
 */
export const box: HardwareProfile = parseProfile(
  {
    name: 'box',
    kind: 'cpu-server',
    capacity: { units: 10, unit: 'core', source: 'test' },
    lifetime: { years: 1, source: 'test' },
    power: { idle_w: 10, max_w: 110, source: 'test' },
    silicon: { chip: { model: 'manual', carbon: '1 kg', fab_yield: 1, source: 'test' } },
  },
  'box.yaml',
);
export const profiles = new Map([['box', box]]);

/** 360 gCO2e/kWh until t = 10 s, then 720: 1 J costs 1e-4 g, then 2e-4 g (before PUE). */
export function grid(): GridSeries {
  const g = new GridSeries('test', {
    region: 'test',
    gPerKwh: 360,
    year: 2026,
    source: 'test table',
  });
  g.add({ fromMs: 10_000, gPerKwh: 720, source: 'test feed', year: 2026 });
  return g;
}

export function event(over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    id: 'e1',
    service: 'embedding-shard',
    instance: 'shard-0',
    backend: 'cpu',
    model: 'rmc1',
    windowStartMs: 1000,
    windowEndMs: 2000,
    busyS: 1,
    bytesMoved: 0,
    energyJ: 0,
    energyMethod: 'modelled',
    queries: 1,
    items: 0,
    profile: 'box',
    energySource: '',
    receiptOperationalG: 0,
    receiptEmbodiedG: 0,
    ...over,
  };
}
