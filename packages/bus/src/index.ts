// The one public door of @recmesh/bus: NATS subjects, discovery and the usage stream.
export { subjectsFor } from './subjects';
export type { Subjects } from './subjects';
export { parseAnnouncement, encodeAnnouncement } from './announcement';
export type {
  Announcement,
  HeldModelVersion,
  HeldPartition,
  Role,
  VersionsInUse,
} from './announcement';
export { connectBus } from './connect';
export type { BusOptions, NatsConnection } from './connect';
export { startAnnouncer } from './announcer';
export type { Announcer } from './announcer';
export { PeerRegistry, MISSED_HEARTBEATS, inUseByOrchestrators } from './peer-registry';
export { ensureUsageStream, deleteUsageStream, DUPLICATE_WINDOW_MS } from './usage-stream';
export { UsagePublisher } from './usage-publisher';
export type { EnergySampler, UsageDelta, UsageKey, UsagePublisherOptions } from './usage-publisher';
export { requestModelsReload } from './models-reload';
export type { ReloadReply, ReloadRequestOptions } from './models-reload';
