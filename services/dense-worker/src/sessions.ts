import type { DenseBackend, DenseSession } from '@recmesh/backend';
import { notFound } from '@recmesh/errors';
import { buildDenseGraph, denseWeights, DENSE_GRAPH_IO, type ModelSpec } from '@recmesh/models';
import type { Logger } from '@recmesh/telemetry';

export interface LoadedModel {
  readonly spec: ModelSpec;
  readonly session: DenseSession;
}

/** One dense session per served model. */
export class SessionStore {
  private readonly byName = new Map<string, LoadedModel>();

  static async load(
    backend: DenseBackend,
    models: readonly ModelSpec[],
    intraOpThreads: number,
    logger: Logger,
  ): Promise<SessionStore> {
    const store = new SessionStore();
    for (const spec of models) {
      const started = performance.now();
      const weights = denseWeights(spec);
      const onnx = buildDenseGraph({
        denseFeatures: spec.denseFeatures,
        tables: spec.tables.length,
        dim: spec.dim,
        interaction: spec.interaction,
        weights,
      });
      const session = await backend.createSession(
        {
          onnx,
          io: DENSE_GRAPH_IO,
          denseFeatures: spec.denseFeatures,
          tables: spec.tables.length,
          dim: spec.dim,
          mlp: { interaction: spec.interaction, ...weights },
        },
        { intraOpThreads },
      );
      store.byName.set(spec.name, { spec, session });
      logger.info(
        {
          model: spec.name,
          graphBytes: onnx.byteLength,
          ms: Math.round(performance.now() - started),
        },
        'dense graph loaded',
      );
    }
    return store;
  }

  get(name: string): LoadedModel {
    const model = this.byName.get(name);
    if (model === undefined)
      throw notFound('model', name, `this worker serves ${[...this.byName.keys()].join(', ')}`);
    return model;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  async release(): Promise<void> {
    for (const { session } of this.byName.values()) await session.release();
  }
}
