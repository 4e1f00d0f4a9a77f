import type { Dtype, EmbeddingBackend } from '@recmesh/backend';
import { fillTableRows, type ModelSpec, type PlanPartition } from '@recmesh/models';
import { openVersionTable, verifySha256, type ModelVersion } from '@recmesh/model-repository';
import {
  fileError,
  fileRows,
  findModelTables,
  generatedRows,
  loadRows,
  type RowSource,
} from '@recmesh/tables';
import type { Logger } from '@recmesh/telemetry';
import { join } from 'node:path';
import type { LoadedPartition } from './version-tables';

const NATIVE_DTYPE = { f32: 'fp32', f16: 'fp16', u8: 'int8' } as const;

/**
 * Where a preset's partitions get their rows: files under tablesDir (RECMESH_TABLES_DIR), else
 * the seeded generator. Headers are checked before any row is read.
 */
export function presetSources(
  spec: ModelSpec,
  partitions: readonly PlanPartition[],
  tablesDir: string | undefined,
): Map<PlanPartition, RowSource> {
  const out = new Map<PlanPartition, RowSource>();
  const files =
    tablesDir === undefined || partitions.length === 0
      ? undefined
      : findModelTables(
          tablesDir,
          spec.name,
          [...new Set(partitions.map((p) => p.table))],
          spec.preset,
        );
  for (const p of partitions) {
    const t = spec.tables[p.table] as ModelSpec['tables'][number];
    const file = files?.get(p.table);
    if (file === undefined) {
      out.set(
        p,
        generatedRows(`generated ${spec.name} table ${p.table}`, t.rows, t.dim, (row, _n, rows) =>
          fillTableRows(spec, p.table, row, rows),
        ),
      );
      continue;
    }
    const source = fileRows(file);
    if (file.rows !== t.rows || file.dim !== t.dim)
      throw fileError(
        source.name,
        `holds [${file.rows}, ${file.dim}]; ${spec.name} table ${p.table} is [${t.rows}, ${t.dim}] at row scale ${spec.rowScale}`,
      );
    out.set(p, source);
  }
  return out;
}

/**
 * Where a repository version's partitions get their rows: the files its manifest names, each
 * checked against the manifest (shape, element type) and, for every file this shard reads, its
 * SHA-256. Errors name the file and the mismatch.
 */
export async function versionSources(
  version: ModelVersion,
  partitions: readonly PlanPartition[],
): Promise<Map<PlanPartition, RowSource>> {
  const out = new Map<PlanPartition, RowSource>();
  const verified = new Set<string>();
  for (const p of partitions) {
    const table = version.manifest.tables[p.table];
    if (table === undefined) continue;
    const file = openVersionTable(version, p.table);
    const path = join(version.entry.dir, table.file);
    if (!verified.has(path)) {
      await verifySha256(path, table.sha256);
      verified.add(path);
    }
    out.set(p, fileRows(file));
  }
  return out;
}

export interface FillOptions {
  readonly backend: EmbeddingBackend;
  /** Element type to hold rows in; undefined: the source's. */
  readonly dtype: Dtype | undefined;
  readonly logger: Logger;
}

/**
 * Loads partitions of one model version: each filled in chunks straight into memory the backend
 * allocated, progress in the log. On failure, what was loaded is given back.
 */
export async function fillPartitions(
  spec: ModelSpec,
  partitions: readonly PlanPartition[],
  sources: ReadonlyMap<PlanPartition, RowSource>,
  options: FillOptions,
): Promise<Map<number, LoadedPartition>> {
  const { backend, logger } = options;
  const loaded = new Map<number, LoadedPartition>();
  try {
    for (const [k, partition] of partitions.entries()) {
      const source = sources.get(partition) as RowSource;
      const dtype = options.dtype ?? NATIVE_DTYPE[source.dtype];
      const rows = partition.rowEnd - partition.rowStart;
      const started = performance.now();
      const target = backend.allocateTable(dtype, rows, spec.dim);
      let logged = -1;
      await loadRows(source, partition.rowStart, partition.rowEnd, target, {
        onProgress: (done, total) => {
          const percent = Math.floor((100 * done) / total);
          if (percent >= logged + 10 || done === total) {
            logged = percent;
            logger.info(
              {
                ...partition,
                version: spec.version,
                dtype,
                source: source.name,
                percent,
                partition_no: k + 1,
                of: partitions.length,
              },
              'loading table partition',
            );
          }
        },
      });
      const table = backend.loadTable(target);
      loaded.set(partition.table, { partition, spec, table });
      logger.info(
        {
          ...partition,
          version: spec.version,
          dtype,
          bytes: table.bytes,
          ms: Math.round(performance.now() - started),
          rss: process.memoryUsage.rss(),
        },
        'table partition loaded',
      );
    }
  } catch (err) {
    for (const p of loaded.values()) backend.releaseTable?.(p.table);
    for (const s of sources.values()) await s.close();
    throw err;
  }
  return loaded;
}
