import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import { RecmeshError } from '@recmesh/errors';
import { writeVersion, type Manifest } from '@recmesh/model-repository';
import {
  buildDenseGraph,
  targetsAround,
  type DlrmArchitecture,
  type ModelSpec,
} from '@recmesh/models';
import { extractDlrm, type ExtractedDlrm } from './extract';
import { OnnxFile } from './onnx-file';
import { randomSamples, verifyImport, type Verification } from './verify';

export interface ImportOptions {
  /** The DLRM export (model.onnx). */
  readonly onnx: string;
  /** The model folder to write (manifest.json, dense.onnx, table_<t>.npy). */
  readonly out: string;
  readonly name: string;
  readonly version: number;
  /** Largest |original - imported| prediction accepted (default 1e-5). */
  readonly tolerance?: number;
  /** Random samples to compare on (default 512). */
  readonly samples?: number;
  readonly seed?: number;
  /** Medium p95 target of the model, ms (default 100). */
  readonly p95TargetMs?: number;
}

export interface ImportResult {
  readonly manifest: Manifest;
  readonly model: ExtractedDlrm;
  readonly verification: Verification;
}

/** The ModelSpec of an extracted DLRM. */
export function specOfImport(
  model: ExtractedDlrm,
  name: string,
  version: number,
  p95TargetMs = 100,
): ModelSpec {
  const architecture: DlrmArchitecture = {
    kind: 'dlrm',
    bottomMlp: model.bottom.map((l) => l.outputs),
    topMlp: model.top.map((l) => l.outputs),
    interaction: model.interaction,
  };
  return {
    name,
    preset: 'repository',
    version,
    denseFeatures: model.denseFeatures,
    dim: model.dim,
    tables: model.tables.map((t) => ({
      rows: t.dims[0] as number,
      dim: model.dim,
      pool: 1,
      pooling: 'sum',
    })),
    architecture,
    tasks: [{ name: 'click', weight: 1 }],
    targets: targetsAround(p95TargetMs),
    seed: 0,
    rowScale: 1,
  };
}

/**
 * Imports a DLRM export into a model folder: the tables lifted out of the Loops (as .npy, for
 * the shards' gather-reduce), the dense graph rebuilt by recmesh's builder from bot_l and top_l
 * with the inferred interaction, and a manifest. The import is verified first: the original
 * model.onnx and the imported pipeline run on the same random samples on onnxruntime, and a
 * difference above the tolerance refuses the import (nothing is written).
 */
export async function importDlrm(options: ImportOptions): Promise<ImportResult> {
  const src = new OnnxFile(options.onnx);
  const model = extractDlrm(src);
  const spec = specOfImport(model, options.name, options.version, options.p95TargetMs);
  const denseOnnx = buildDenseGraph(spec, {
    layers: { bottom: model.bottom, top: model.top },
    tensors: {},
  });
  const tolerance = options.tolerance ?? 1e-5;
  const samples = randomSamples(model, options.samples ?? 512, options.seed ?? 1);
  const verification = await verifyImport(src.bytes, denseOnnx, model, samples);
  if (!(verification.maxAbsError <= tolerance)) {
    const w = verification.worst;
    throw new RecmeshError(
      'failed_precondition',
      `${options.onnx}: the imported model disagrees with the export: max |original - imported| = ${verification.maxAbsError} > tolerance ${tolerance} (sample ${w.sample}: original ${w.original}, imported ${w.imported}; interaction inferred: ${model.interaction}, ${model.evidence}); nothing written`,
      { field: options.onnx },
    );
  }
  const a = spec.architecture as DlrmArchitecture;
  const manifest = await writeVersion(options.out, {
    name: options.name,
    version: options.version,
    description: `DLRM imported from ${basename(options.onnx)}`,
    architecture: a,
    denseFeatures: spec.denseFeatures,
    dim: spec.dim,
    tables: model.tables.map((t) => t.data),
    denseOnnx,
    ...(options.p95TargetMs === undefined ? {} : { p95TargetMs: options.p95TargetMs }),
    source: {
      file: basename(options.onnx),
      sha256: createHash('sha256').update(src.bytes).digest('hex'),
      producer: `${src.model.producerName ?? ''} ${src.model.producerVersion ?? ''}`.trim(),
      opset: (src.model.opsetImport ?? [])
        .map((o) => `${o.domain || 'ai.onnx'}:${String(o.version)}`)
        .join(','),
      importer: 'recmesh import dlrm',
      interaction: `${model.interaction}: ${model.evidence}`,
      verified: { samples: verification.samples, maxAbsError: verification.maxAbsError, tolerance },
    },
  });
  return { manifest, model, verification };
}
