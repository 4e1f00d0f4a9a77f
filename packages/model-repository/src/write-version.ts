import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Architecture } from '@recmesh/models';
import { writeNpy, inMemory } from '@recmesh/tables';
import { sha256File } from './files';
import { MANIFEST_FORMAT, parseManifest, type Manifest, type ManifestInput } from './manifest';
import { MANIFEST_FILE } from './repository';

/** What a version folder is made of. */
export interface VersionContents {
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  readonly architecture: Architecture;
  readonly denseFeatures: number;
  readonly dim: number;
  /** float32 [rows][dim] per table, written as table_<t>.npy. */
  readonly tables: readonly Float32Array[];
  /** Mean ids per lookup of each table (default 1). */
  readonly pools?: readonly number[];
  /** The dense graph, written as dense.onnx (inputs `dense`, `emb`; output `prob`). */
  readonly denseOnnx: Uint8Array;
  readonly tasks?: ManifestInput['tasks'];
  readonly p95TargetMs?: number;
  readonly source?: Record<string, unknown>;
}

/**
 * Writes a model version folder: table_<t>.npy per table, dense.onnx, and manifest.json with
 * every file's SHA-256. The manifest is checked before it is written. Returns it.
 */
export async function writeVersion(dir: string, contents: VersionContents): Promise<Manifest> {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const tables: ManifestInput['tables'] = [];
  for (const [t, data] of contents.tables.entries()) {
    const rows = data.length / contents.dim;
    const file = `table_${t}.npy`;
    await writeNpy(join(out, file), inMemory('f32', [rows, contents.dim], data));
    tables.push({
      file,
      rows,
      dim: contents.dim,
      dtype: 'float32',
      pooling: 'sum',
      pool: contents.pools?.[t] ?? 1,
      sha256: await sha256File(join(out, file)),
    });
  }
  writeFileSync(join(out, 'dense.onnx'), contents.denseOnnx);
  const input: ManifestInput = {
    format: MANIFEST_FORMAT,
    name: contents.name,
    version: contents.version,
    ...(contents.description === undefined ? {} : { description: contents.description }),
    // Readonly arrays of the spec are plain arrays in the manifest.
    architecture: contents.architecture as ManifestInput['architecture'],
    denseFeatures: contents.denseFeatures,
    dim: contents.dim,
    tables,
    dense: {
      file: 'dense.onnx',
      sha256: await sha256File(join(out, 'dense.onnx')),
      inputs: { dense: 'dense', embeddings: 'emb' },
      output: 'prob',
    },
    ...(contents.tasks === undefined ? {} : { tasks: contents.tasks }),
    ...(contents.p95TargetMs === undefined ? {} : { p95TargetMs: contents.p95TargetMs }),
    ...(contents.source === undefined ? {} : { source: contents.source }),
  };
  const manifest = parseManifest(input, join(out, MANIFEST_FILE));
  writeFileSync(join(out, MANIFEST_FILE), `${JSON.stringify(input, null, 2)}\n`);
  return manifest;
}
