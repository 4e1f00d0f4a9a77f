import type { Announcement } from '@recmesh/bus';

/** A ready embedding shard of group `g`, as a NATS announcement would describe it. */
export const announce = (id: string, address = `${id}:1`): Announcement => ({
  id,
  role: 'embedding-shard',
  address,
  backend: 'test',
  models: ['m'],
  group: 'g',
  metricsPort: 0,
  heartbeatMs: 1000,
  startedAt: 0,
  pid: 0,
  ready: true,
});
