import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { subjectsFor } from './subjects';

/** How long JetStream remembers a message id to drop a re-sent event (2 minutes). */
export const DUPLICATE_WINDOW_MS = 120_000;
/** Usage events are kept for 7 days: the ledger has that long to catch up after an outage. */
export const USAGE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** Creates the mesh's usage stream if it is missing (idempotent; every publisher calls it). */
export async function ensureUsageStream(
  nc: NatsConnection,
  mesh: string,
  replicas = 1,
): Promise<string> {
  const subjects = subjectsFor(mesh);
  const jsm = await jetstreamManager(nc);
  const config = {
    name: subjects.usageStream,
    subjects: [subjects.usageAll],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: nanos(USAGE_MAX_AGE_MS),
    num_replicas: replicas,
  };
  try {
    await jsm.streams.info(config.name);
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another service created it between our info and add.
      await jsm.streams.info(config.name).catch(() => {
        throw err;
      });
    }
  }
  return config.name;
}

/** Deletes a mesh's usage stream (tests clean up after themselves). */
export async function deleteUsageStream(nc: NatsConnection, mesh: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(subjectsFor(mesh).usageStream).catch(() => false);
}
