import { notFound } from '@recmesh/errors';
import {
  errorMessage,
  readPipeline,
  readVersion,
  scanRepository,
  type Pipeline,
  type ReloadReport,
} from '@recmesh/model-repository';
import type { ModelSpec } from '@recmesh/models';
import type { Logger } from '@recmesh/telemetry';

/** Shortest time between two rescans prompted by announcements of unknown versions, ms. */
const RESCAN_MIN_INTERVAL_MS = 1000;

/**
 * What the orchestrator knows of the models it serves, by name and version: built-in presets
 * (version 1) and every version in the model repository whose manifest reads (only manifests:
 * shards and workers check the files). Queries are validated against the spec of the version
 * they are pinned to.
 */
export class ModelCatalog {
  private repositorySpecs = new Map<string, Map<number, ModelSpec>>();
  /** Each pipeline of the repository at its newest version whose pipeline.json reads. */
  private pipelines = new Map<string, Pipeline>();
  private lastScan = 0;

  constructor(
    private readonly presets: readonly ModelSpec[],
    private readonly repository: string | undefined,
    private readonly logger: Logger,
  ) {
    this.rescan();
  }

  /** Rereads the repository's manifests. Returns what changed, for the reload reply. */
  rescan(): ReloadReport {
    this.lastScan = Date.now();
    if (this.repository === undefined)
      return { loaded: [], refused: [], retired: [], problems: [] };
    const before = this.repositorySpecs;
    const next = new Map<string, Map<number, ModelSpec>>();
    const loaded: { model: string; version: number }[] = [];
    const refused: { model: string; version: number; error: string }[] = [];
    let problems: readonly string[] = [];
    try {
      const scan = scanRepository(this.repository);
      problems = scan.problems;
      for (const [model, entries] of scan.models) {
        const versions = new Map<number, ModelSpec>();
        for (const entry of entries) {
          try {
            versions.set(entry.version, readVersion(entry).spec);
            if (before.get(model)?.has(entry.version) !== true)
              loaded.push({ model, version: entry.version });
          } catch (err) {
            refused.push({ model, version: entry.version, error: errorMessage(err) });
          }
        }
        if (versions.size > 0) next.set(model, versions);
      }
      this.pipelines = this.readPipelines(scan.pipelines, refused);
    } catch (err) {
      refused.push({ model: '*', version: 0, error: errorMessage(err) });
      return { loaded, refused, retired: [], problems };
    }
    const retired = [...before].flatMap(([model, versions]) =>
      [...versions.keys()]
        .filter((v) => next.get(model)?.has(v) !== true)
        .map((version) => ({ model, version })),
    );
    this.repositorySpecs = next;
    if (loaded.length + refused.length + retired.length > 0)
      this.logger.info({ loaded, refused, retired }, 'model catalog rescanned');
    return { loaded, refused, retired, problems };
  }

  private readPipelines(
    found: ReturnType<typeof scanRepository>['pipelines'],
    refused: { model: string; version: number; error: string }[],
  ): Map<string, Pipeline> {
    const out = new Map<string, Pipeline>();
    for (const [name, entries] of found) {
      for (const entry of entries) {
        try {
          out.set(name, readPipeline(entry));
          break;
        } catch (err) {
          refused.push({ model: name, version: entry.version, error: errorMessage(err) });
        }
      }
    }
    return out;
  }

  /** The pipeline called `name`, if the repository has one. */
  pipeline(name: string): Pipeline | undefined {
    return this.pipelines.get(name);
  }

  pipelineNames(): string[] {
    return [...this.pipelines.keys()];
  }

  /** Rescans unless one ran in the last second (announcements of versions not known yet). */
  rescanSoon(): boolean {
    if (this.repository === undefined || Date.now() - this.lastScan < RESCAN_MIN_INTERVAL_MS)
      return false;
    this.rescan();
    return true;
  }

  names(): string[] {
    return [...this.presets.map((p) => p.name), ...this.repositorySpecs.keys()];
  }

  has(model: string): boolean {
    return this.presets.some((p) => p.name === model) || this.repositorySpecs.has(model);
  }

  /** The spec of `model` at `version`, or undefined when that version is not known. */
  find(model: string, version: number): ModelSpec | undefined {
    const preset = this.presets.find((p) => p.name === model);
    if (preset !== undefined) return version === preset.version ? preset : undefined;
    return this.repositorySpecs.get(model)?.get(version);
  }

  /** Versions known of `model`, newest first. */
  versions(model: string): number[] {
    const preset = this.presets.find((p) => p.name === model);
    if (preset !== undefined) return [preset.version];
    return [...(this.repositorySpecs.get(model)?.keys() ?? [])].sort((a, b) => b - a);
  }

  /** The newest known spec of `model` (for listings when no version is routable yet). */
  latest(model: string): ModelSpec {
    const v = this.versions(model)[0];
    const spec = v === undefined ? undefined : this.find(model, v);
    if (spec === undefined)
      throw notFound('model', model, `unknown model; served: ${this.names().join(', ')}`);
    return spec;
  }
}
