import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { openNpy, openSafetensors, type FileDtype, type TableFile } from '@recmesh/tables';
import { repositoryError, type ManifestTable, type TableDtype } from './manifest';
import type { ModelVersion } from './repository';

const FILE_DTYPE: Readonly<Record<TableDtype, FileDtype>> = {
  float32: 'f32',
  float16: 'f16',
  'int8-rowwise': 'u8',
};

/** SHA-256 of a file in lowercase hex, streamed (64 KiB reads). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks a file against the manifest's SHA-256 (when it gives one). */
export async function verifySha256(path: string, expected: string | undefined): Promise<void> {
  if (expected === undefined) return;
  const got = await sha256File(path);
  if (got !== expected)
    throw repositoryError(
      path,
      `SHA-256 ${got} does not match the manifest's ${expected} (the file changed or is corrupt)`,
    );
}

/**
 * Opens table `t` of a version: the file exists, its header is sound, and its shape and element
 * type are the manifest's. Reads only the header. Errors name the file and the mismatch.
 */
export function openVersionTable(version: ModelVersion, t: number): TableFile {
  const table = version.manifest.tables[t] as ManifestTable;
  const path = join(version.entry.dir, table.file);
  if (!existsSync(path)) throw repositoryError(path, `missing (tables[${t}].file of the manifest)`);
  let found: TableFile;
  if (table.tensor !== undefined) {
    const tensor = openSafetensors(path).get(table.tensor);
    if (tensor === undefined)
      throw repositoryError(
        path,
        `no 2-D float32/float16/uint8 tensor named ${JSON.stringify(table.tensor)} (tables[${t}].tensor)`,
      );
    found = tensor;
  } else {
    found = openNpy(path);
  }
  const where =
    table.tensor === undefined ? path : `${path} tensor ${JSON.stringify(table.tensor)}`;
  if (found.dtype !== FILE_DTYPE[table.dtype])
    throw repositoryError(
      where,
      `holds ${found.dtype === 'f32' ? 'float32' : found.dtype === 'f16' ? 'float16' : 'uint8 (int8-rowwise)'} rows; the manifest says tables[${t}].dtype = ${table.dtype}`,
    );
  if (found.rows !== table.rows || found.dim !== table.dim)
    throw repositoryError(
      where,
      `holds [${found.rows}, ${found.dim}]; the manifest says tables[${t}] is [${table.rows}, ${table.dim}]`,
    );
  return found;
}

/** The cheap checks every service runs on a version: every table's header, the dense file there. */
export function checkVersionFiles(version: ModelVersion): void {
  version.manifest.tables.forEach((_, t) => openVersionTable(version, t));
  const dense = join(version.entry.dir, version.manifest.dense.file);
  if (!existsSync(dense) || !statSync(dense).isFile())
    throw repositoryError(dense, 'missing (dense.file of the manifest)');
}

function dimsOf(v: onnx.IValueInfoProto): (number | string)[] | undefined {
  return v.type?.tensorType?.shape?.dim?.map((d) =>
    d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0
      ? Number(d.dimValue)
      : (d.dimParam ?? '?'),
  );
}

/**
 * Reads a version's dense graph: its SHA-256, that it is an ONNX model, and that its inputs and
 * output have the manifest's names and, where the graph fixes them, its shapes
 * ([batch][denseFeatures], [tables][batch][dim], [batch][tasks]). Errors name the file.
 */
export async function readDenseGraph(version: ModelVersion): Promise<Uint8Array> {
  const { manifest } = version;
  const path = join(version.entry.dir, manifest.dense.file);
  if (!existsSync(path)) throw repositoryError(path, 'missing (dense.file of the manifest)');
  await verifySha256(path, manifest.dense.sha256);
  const bytes = new Uint8Array(readFileSync(path));
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw repositoryError(path, `not an ONNX model: ${(cause as Error).message}`, cause);
  }
  const graph = model.graph;
  if (graph === null || graph === undefined)
    throw repositoryError(path, 'an ONNX model without a graph');
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  const inputs = new Map(
    (graph.input ?? []).filter((i) => !initializers.has(i.name)).map((i) => [i.name ?? '', i]),
  );
  const outputs = new Map((graph.output ?? []).map((o) => [o.name ?? '', o]));
  const expect = (
    kind: 'input' | 'output',
    name: string,
    want: (number | undefined)[],
    alt?: (number | undefined)[],
  ) => {
    const info = (kind === 'input' ? inputs : outputs).get(name);
    if (info === undefined)
      throw repositoryError(
        path,
        `no graph ${kind} named ${JSON.stringify(name)} (${kind}s: ${[...(kind === 'input' ? inputs : outputs).keys()].join(', ')})`,
      );
    const dims = dimsOf(info);
    if (dims === undefined) return;
    const fits = (w: (number | undefined)[]) =>
      dims.length === w.length &&
      w.every((d, i) => d === undefined || typeof dims[i] !== 'number' || dims[i] === d);
    if (!fits(want) && !(alt !== undefined && fits(alt)))
      throw repositoryError(
        path,
        `${kind} ${JSON.stringify(name)} has shape [${dims.join(', ')}]; the manifest implies [${want.map((d) => d ?? 'batch').join(', ')}]`,
      );
  };
  const m = manifest;
  expect('input', m.dense.inputs.dense, [undefined, m.denseFeatures]);
  expect('input', m.dense.inputs.embeddings, [m.tables.length, undefined, m.dim]);
  expect(
    'output',
    m.dense.output,
    [undefined, m.tasks.length],
    m.tasks.length === 1 ? [undefined] : undefined,
  );
  return bytes;
}
