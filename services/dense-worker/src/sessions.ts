import type { DenseBackend, DenseSession, TableData } from '@recmesh/backend';
import type { HeldModelVersion } from '@recmesh/bus';
import {
  readDenseGraph,
  RepositoryVersions,
  type HeldVersion,
  type ModelVersion,
  type ReloadReport,
} from '@recmesh/model-repository';
import { denseGraphOf, type ModelSpec } from '@recmesh/models';
import type { Logger } from '@recmesh/telemetry';
import { float32TableBytes, loadWorkerTables } from './worker-tables';

export interface LoadedModel {
  readonly spec: ModelSpec;
  readonly session: DenseSession;
  /** Every embedding table of the version, when they fit RECMESH_WORKER_TABLES_MAX_MB. */
  readonly tables?: readonly TableData[];
}

export interface SessionOptions {
  readonly intraOpThreads: number;
  /** The model repository (RECMESH_MODEL_REPOSITORY). */
  readonly repository: string | undefined;
  /** How long a retiring version outlives its last use, ms. */
  readonly graceMs: number;
  /**
   * A version whose tables take at most this many bytes as float32 is held with its tables, and
   * the worker pools Predict lookups for it (RECMESH_WORKER_TABLES_MAX_MB); 0: none.
   */
  readonly tablesMaxBytes: number;
}

/**
 * One dense session per held model version: presets' graphs built from their seeded weights
 * (version 1), repository versions' read from their dense.onnx (SHA-256 and input/output shapes
 * checked against the manifest).
 */
export class SessionStore {
  readonly held: RepositoryVersions<LoadedModel>;

  private constructor(
    private readonly backend: DenseBackend,
    private readonly options: SessionOptions,
    private readonly logger: Logger,
  ) {
    this.held = new RepositoryVersions<LoadedModel>({
      repository: options.repository,
      graceMs: options.graceMs,
      load: (version) => this.loadVersion(version),
      release: async ({ session }, model, version) => {
        await session.release();
        logger.info({ model, version }, 'model version released');
      },
    });
  }

  static async load(
    backend: DenseBackend,
    presets: readonly ModelSpec[],
    options: SessionOptions,
    logger: Logger,
  ): Promise<{ store: SessionStore; report: ReloadReport | undefined }> {
    const store = new SessionStore(backend, options, logger);
    for (const spec of presets) {
      const started = performance.now();
      const graph = denseGraphOf(spec);
      const session = await backend.createSession(graph, {
        intraOpThreads: options.intraOpThreads,
      });
      const tables = await store.tablesOf(spec, undefined);
      store.held.add(spec.name, spec.version, {
        spec,
        session,
        ...(tables === undefined ? {} : { tables }),
      });
      logger.info(
        {
          model: spec.name,
          graphBytes: graph.onnx.byteLength,
          ms: Math.round(performance.now() - started),
        },
        'dense graph loaded',
      );
    }
    const report = options.repository === undefined ? undefined : await store.held.reload();
    return { store, report };
  }

  private async loadVersion(version: ModelVersion): Promise<LoadedModel> {
    const { spec, manifest } = version;
    const started = performance.now();
    const onnx = await readDenseGraph(version);
    const session = await this.backend.createSession(
      {
        ...denseGraphOf(spec, onnx),
        io: {
          dense: manifest.dense.inputs.dense,
          embeddings: manifest.dense.inputs.embeddings,
          output: manifest.dense.output,
        },
      },
      { intraOpThreads: this.options.intraOpThreads },
    );
    let tables: readonly TableData[] | undefined;
    try {
      tables = await this.tablesOf(spec, version);
    } catch (err) {
      await session.release();
      throw err;
    }
    this.logger.info(
      {
        model: spec.name,
        version: spec.version,
        graphBytes: onnx.byteLength,
        tables: tables !== undefined,
        ms: Math.round(performance.now() - started),
        dir: version.entry.dir,
      },
      'model version loaded',
    );
    return { spec, session, ...(tables === undefined ? {} : { tables }) };
  }

  /** The version's tables when they fit tablesMaxBytes, else undefined. */
  private async tablesOf(
    spec: ModelSpec,
    version: ModelVersion | undefined,
  ): Promise<readonly TableData[] | undefined> {
    const bytes = float32TableBytes(spec);
    if (this.options.tablesMaxBytes === 0 || bytes > this.options.tablesMaxBytes) return undefined;
    const started = performance.now();
    const tables = await loadWorkerTables(spec, version);
    this.logger.info(
      {
        model: spec.name,
        version: spec.version,
        bytes,
        ms: Math.round(performance.now() - started),
      },
      'embedding tables held: Predict may carry lookups',
    );
    return tables;
  }

  /** `model` at `version` (0: the served one), counted in flight until released. */
  acquire(name: string, version: number): HeldVersion<LoadedModel> & { release: () => void } {
    return this.held.acquire(name, version);
  }

  names(): string[] {
    return this.held.models();
  }

  versions(): HeldModelVersion[] {
    return this.held.list().map(({ model, version, retiring, value }) => ({
      model,
      version,
      ...(retiring ? { retiring } : {}),
      ...(value.tables === undefined ? {} : { tables: true }),
    }));
  }

  release(): Promise<void> {
    return this.held.clear();
  }
}
