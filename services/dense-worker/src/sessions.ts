import type { DenseBackend, DenseSession } from '@recmesh/backend';
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

export interface LoadedModel {
  readonly spec: ModelSpec;
  readonly session: DenseSession;
}

export interface SessionOptions {
  readonly intraOpThreads: number;
  /** The model repository (RECMESH_MODEL_REPOSITORY). */
  readonly repository: string | undefined;
  /** How long a retiring version outlives its last use, ms. */
  readonly graceMs: number;
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
      store.held.add(spec.name, spec.version, { spec, session });
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
    this.logger.info(
      {
        model: spec.name,
        version: spec.version,
        graphBytes: onnx.byteLength,
        ms: Math.round(performance.now() - started),
        dir: version.entry.dir,
      },
      'model version loaded',
    );
    return { spec, session };
  }

  /** `model` at `version` (0: the served one), counted in flight until released. */
  acquire(name: string, version: number): HeldVersion<LoadedModel> & { release: () => void } {
    return this.held.acquire(name, version);
  }

  names(): string[] {
    return this.held.models();
  }

  versions(): HeldModelVersion[] {
    return this.held.list().map(({ model, version, retiring }) => ({
      model,
      version,
      ...(retiring ? { retiring } : {}),
    }));
  }

  release(): Promise<void> {
    return this.held.clear();
  }
}
