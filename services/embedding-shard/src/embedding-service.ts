import { rowBytes, type EmbeddingBackend } from '@recmesh/backend';
import { RecmeshError } from '@recmesh/errors';
import {
  EmbeddingServiceService,
  type DescribeResponse,
  type LookupRequest,
  type LookupResponse,
  type PooledTable,
} from '@recmesh/proto';
import { bagBatchOf, bytesOf, unary, type ServiceBinding } from '@recmesh/rpc';
import type { ServiceContext } from '@recmesh/runtime';
import type { HeldVersion } from '@recmesh/model-repository';
import { PartitionStore } from './partition-store';
import type { VersionTables } from './version-tables';

/** EmbeddingService over the partitions this shard holds. */
export function embeddingService(
  context: ServiceContext,
  backend: EmbeddingBackend,
  store: PartitionStore,
): ServiceBinding {
  const { logger, usage, instance } = context;
  const lookup = async (
    request: LookupRequest,
    call: { cancelled: boolean },
  ): Promise<LookupResponse> => {
    // A cancelled query (its caller cancelled or its deadline passed) does no work here.
    if (call.cancelled) {
      throw new RecmeshError('cancelled', `lookup of ${request.model} cancelled by the caller`);
    }
    // The version stays held (not released by a reload) until the gathers are done.
    const version = store.acquire(request.model, request.version);
    try {
      return await lookupVersion(request, version);
    } finally {
      version.release();
    }
  };

  const lookupVersion = async (
    request: LookupRequest,
    version: HeldVersion<VersionTables>,
  ): Promise<LookupResponse> => {
    // Every table's batch is checked first, then all run at once: each is its own task on the
    // libuv threadpool, so a request over many tables uses every core.
    const jobs = request.lookups.map((l, i) => {
      const field = `lookups[${i}]`;
      const held = PartitionStore.table(version, l.table, store.group);
      const batch = bagBatchOf(field, l, held.table.rows);
      const out = new Float32Array(batch.offsets.length * held.table.dim);
      return { l, held, batch, out };
    });
    const started = performance.now();
    const reports = await Promise.all(
      jobs.map((j) => backend.gatherReduce(j.held.table, j.batch, j.out)),
    );
    const computeMs = performance.now() - started;
    // Energy an emulating backend (nmp) models for its hardware; 0: the ledger models it.
    let modelledJ = 0;
    for (const report of reports) if (report) modelledJ += report.modelledEnergyJ;
    let gathered = 0;
    const pooled: PooledTable[] = jobs.map(({ l, held, batch, out }) => {
      gathered += batch.indices.length * rowBytes(held.table.dtype, held.table.dim);
      return {
        table: l.table,
        bags: batch.offsets.length,
        dim: held.table.dim,
        values: bytesOf(out),
      };
    });
    usage.record(
      { model: request.model, backend: backend.name },
      {
        busyS: computeMs / 1000,
        bytesMoved: gathered,
        queries: 1,
        ...(modelledJ > 0 ? { energyJ: modelledJ, energyMethod: 'modelled' as const } : {}),
      },
    );
    return { pooled, shardId: instance, backend: backend.name, computeMs };
  };

  const describe = (): Promise<DescribeResponse> =>
    Promise.resolve({
      shardId: instance,
      group: store.group,
      backend: backend.name,
      partitions: store.partitions().map((p) => ({
        model: p.model,
        table: p.table,
        rowStart: String(p.rowStart),
        rowEnd: String(p.rowEnd),
        dim: p.dim,
        dtype: p.dtype ?? 'fp32',
        version: p.version ?? 1,
        retiring: p.retiring === true,
      })),
      tableBytes: store.bytes(),
      rssBytes: process.memoryUsage.rss(),
    });

  return {
    name: 'recmesh.v1.EmbeddingService',
    definition: EmbeddingServiceService,
    implementation: {
      lookup: unary('EmbeddingService/Lookup', logger, lookup),
      describe: unary('EmbeddingService/Describe', logger, describe),
    },
  };
}
