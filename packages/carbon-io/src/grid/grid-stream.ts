import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjectsFor } from '@recmesh/bus';
import type { RegionPoint } from '@recmesh/carbon';

/** Points kept per region: a year of 5-minute points. */
export const GRID_POINTS_PER_REGION = 110_000;

/** Creates the mesh's grid stream if it is missing (idempotent). */
export async function ensureGridStream(nc: NatsConnection, mesh: string): Promise<string> {
  const subjects = subjectsFor(mesh);
  const jsm = await jetstreamManager(nc);
  const name = subjects.gridStream;
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams
      .add({
        name,
        subjects: [subjects.gridAll],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_msgs_per_subject: GRID_POINTS_PER_REGION,
      })
      .catch(async (err: unknown) => {
        await jsm.streams.info(name).catch(() => {
          throw err;
        });
      });
  }
  return name;
}

/** Deletes a mesh's grid stream (tests clean up after themselves). */
export async function deleteGridStream(nc: NatsConnection, mesh: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(subjectsFor(mesh).gridStream).catch(() => false);
}

/** The wire form of a grid point: JSON, times in epoch ms. */
export function encodeGridPoint(p: RegionPoint): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      region: p.region,
      from: p.fromMs,
      g_per_kwh: p.gPerKwh,
      source: p.source,
      ...(p.year === undefined ? {} : { year: p.year }),
    }),
  );
}

/**
 * Publishes a grid point on the live feed. A point takes effect at the later of its `from` and
 * the moment the stream stored it: the feed changes the future only, so receipts already given
 * stay equal to the books. Publish points ahead of time (a few seconds is plenty).
 */
export async function publishGridPoint(
  nc: NatsConnection,
  mesh: string,
  point: RegionPoint,
): Promise<number> {
  await ensureGridStream(nc, mesh);
  const ack = await jetstream(nc).publish(
    subjectsFor(mesh).grid(point.region),
    encodeGridPoint(point),
  );
  return ack.seq;
}
