import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveModels, targetsAround, type ModelOptions, type ModelSpec } from '@recmesh/models';
import {
  MODEL_NAME,
  parseManifest,
  readJsonFile,
  repositoryError,
  type Manifest,
} from './manifest';
import { PIPELINE_FILE } from './pipeline';

/** One version folder of the repository: `<root>/<model>/<version>/`. */
export interface VersionEntry {
  readonly model: string;
  readonly version: number;
  readonly dir: string;
}

/**
 * What a scan found: every model's versions, newest first, every pipeline's (folders whose
 * versions hold pipeline.json instead of a manifest), and folders it could not use.
 */
export interface RepositoryScan {
  readonly root: string;
  readonly models: ReadonlyMap<string, readonly VersionEntry[]>;
  readonly pipelines: ReadonlyMap<string, readonly VersionEntry[]>;
  readonly problems: readonly string[];
}

/** A version whose manifest was read and checked. */
export interface ModelVersion {
  readonly entry: VersionEntry;
  readonly manifest: Manifest;
  readonly spec: ModelSpec;
}

export const MANIFEST_FILE = 'manifest.json';

const VERSION_DIR = /^[1-9][0-9]{0,8}$/;

/**
 * Lists a model repository (Triton's layout): a folder per model, in it a folder per version
 * named by a positive integer, holding manifest.json and the files it names. Entries that are not
 * folders, and folders not named by a number inside a model, are ignored (as Triton does); model
 * folders with unusable names are reported. A folder whose every version holds pipeline.json (and
 * no manifest.json) is a pipeline, as an ensemble is a model in Triton's repository. Reads no
 * manifest.
 */
export function scanRepository(root: string): RepositoryScan {
  const dir = resolve(root);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw repositoryError(dir, 'the model repository is not a folder');
  const models = new Map<string, VersionEntry[]>();
  const pipelines = new Map<string, VersionEntry[]>();
  const problems: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const modelDir = join(dir, name);
    if (name.startsWith('.') || !statSync(modelDir).isDirectory()) continue;
    if (!MODEL_NAME.test(name)) {
      problems.push(`${modelDir}: not a model name (letters, digits, _ . -)`);
      continue;
    }
    const versions = readdirSync(modelDir)
      .filter((v) => VERSION_DIR.test(v) && statSync(join(modelDir, v)).isDirectory())
      .map((v) => ({ model: name, version: Number(v), dir: join(modelDir, v) }))
      .sort((a, b) => b.version - a.version);
    if (versions.length === 0) {
      problems.push(`${modelDir}: no version folder (1, 2, ...)`);
      continue;
    }
    const isPipeline = (v: VersionEntry) =>
      existsSync(join(v.dir, PIPELINE_FILE)) && !existsSync(join(v.dir, MANIFEST_FILE));
    if (versions.every(isPipeline)) pipelines.set(name, versions);
    else models.set(name, versions);
  }
  return { root: dir, models, pipelines, problems };
}

/** The ModelSpec a manifest describes. */
export function specOf(manifest: Manifest): ModelSpec {
  return {
    name: manifest.name,
    preset: 'repository',
    version: manifest.version,
    denseFeatures: manifest.denseFeatures,
    dim: manifest.dim,
    tables: manifest.tables.map((t) => ({
      rows: t.rows,
      dim: t.dim,
      pool: t.pool,
      pooling: t.pooling,
    })),
    architecture: manifest.architecture,
    tasks: manifest.tasks,
    targets: targetsAround(manifest.p95TargetMs),
    seed: 0,
    rowScale: 1,
  };
}

/** Reads and checks `<dir>/manifest.json`. Errors name the file. */
function readManifest(dir: string): Manifest {
  const file = join(dir, MANIFEST_FILE);
  return parseManifest(readJsonFile(file), file);
}

/**
 * Reads and checks a version's manifest.json: its fields, and that its name and version are
 * those of its folders. Errors name the file.
 */
export function readVersion(entry: VersionEntry): ModelVersion {
  const manifest = readManifest(entry.dir);
  const file = join(entry.dir, MANIFEST_FILE);
  if (manifest.name !== entry.model)
    throw repositoryError(
      file,
      `name = ${JSON.stringify(manifest.name)}: the model's folder is ${JSON.stringify(entry.model)}`,
    );
  if (manifest.version !== entry.version)
    throw repositoryError(
      file,
      `version = ${manifest.version}: the version's folder is ${entry.version}`,
    );
  return { entry, manifest, spec: specOf(manifest) };
}

/** Reads a model folder given directly (a version folder holding manifest.json). */
export function readVersionDir(dir: string): ModelVersion {
  const abs = resolve(dir);
  const manifest = readManifest(abs);
  return {
    entry: { model: manifest.name, version: manifest.version, dir: abs },
    manifest,
    spec: specOf(manifest),
  };
}

/** Built-in models a service serves when RECMESH_MODELS is unset and no repository is given. */
export const DEFAULT_PRESETS = 'rmc1,rmc2,rmc3';

/**
 * The built-in models to serve: `models` (RECMESH_MODELS), or DEFAULT_PRESETS when it is unset
 * and there is no repository. A preset that has the name of a repository model is refused.
 */
export function servedPresets(
  models: string | undefined,
  repository: string | undefined,
  options: ModelOptions,
): ModelSpec[] {
  const list = models ?? (repository === undefined ? DEFAULT_PRESETS : '');
  const specs = resolveModels(list, options, repository !== undefined);
  if (repository !== undefined) {
    const inRepo = scanRepository(repository).models;
    for (const s of specs)
      if (inRepo.has(s.name))
        throw repositoryError(
          join(resolve(repository), s.name),
          `a repository model with the name of the built-in model ${s.name} in RECMESH_MODELS: serve one or the other`,
        );
  }
  return specs;
}

/**
 * The spec of each model's newest version whose manifest reads (what a mesh started on the
 * repository will serve, for planning its shards); unreadable versions are skipped.
 */
export function newestVersions(root: string): ModelSpec[] {
  const out: ModelSpec[] = [];
  for (const entries of scanRepository(root).models.values()) {
    for (const entry of entries) {
      try {
        out.push(readVersion(entry).spec);
        break;
      } catch {
        // an older version may read; shards and workers report this one
      }
    }
  }
  return out;
}
