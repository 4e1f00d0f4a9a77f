import { tableBytesOf, tableDataOver, type TableData } from '@recmesh/backend';
import { openVersionTable, verifySha256, type ModelVersion } from '@recmesh/model-repository';
import { fillTableRows, type ModelSpec } from '@recmesh/models';
import { fileRows, loadRows } from '@recmesh/tables';
import { join } from 'node:path';

const NATIVE_DTYPE = { f32: 'fp32', f16: 'fp16', u8: 'int8' } as const;

/** Bytes a model's tables take as float32: what RECMESH_WORKER_TABLES_MAX_MB is compared with. */
export function float32TableBytes(spec: ModelSpec): number {
  return spec.tables.reduce((sum, t) => sum + tableBytesOf('fp32', t.rows, spec.dim), 0);
}

/**
 * Every embedding table of one model version, whole, for a dense worker to pool a Predict's
 * lookups itself: a repository version's from the files its manifest names (each file's SHA-256
 * checked, rows kept in the file's element type), a preset's from its seeded generator.
 */
export async function loadWorkerTables(
  spec: ModelSpec,
  version: ModelVersion | undefined,
): Promise<TableData[]> {
  const out: TableData[] = [];
  for (const [t, table] of spec.tables.entries()) {
    if (version === undefined) {
      const data = tableDataOver('fp32', table.rows, spec.dim);
      fillTableRows(spec, t, 0, data.data as Float32Array);
      out.push(data);
      continue;
    }
    const entry = version.manifest.tables[t];
    if (entry?.sha256 !== undefined)
      await verifySha256(join(version.entry.dir, entry.file), entry.sha256);
    const source = fileRows(openVersionTable(version, t));
    try {
      const data = tableDataOver(NATIVE_DTYPE[source.dtype], source.rows, source.dim);
      await loadRows(source, 0, source.rows, data);
      out.push(data);
    } finally {
      await source.close();
    }
  }
  return out;
}
