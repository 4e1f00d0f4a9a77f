import type { DenseBackend } from '@recmesh/backend';
import { invalidArgument, RecmeshError } from '@recmesh/errors';
import {
  DenseServiceService,
  type DescribeWorkerResponse,
  type PredictRequest,
  type PredictResponse,
} from '@recmesh/proto';
import { asF32, bytesOf, unary, type ServiceBinding } from '@recmesh/rpc';
import type { ServiceContext } from '@recmesh/runtime';
import type { LoadedModel, SessionStore } from './sessions';

/** Repeats one row `batch` times. */
function expandRows(row: Float32Array, batch: number): Float32Array {
  const out = new Float32Array(row.length * batch);
  for (let b = 0; b < batch; b++) out.set(row, b * row.length);
  return out;
}

/** DenseService over this worker's sessions. */
export function denseService(
  context: ServiceContext,
  backend: DenseBackend,
  store: SessionStore,
  maxBatch: number,
): ServiceBinding {
  const { logger, usage, instance } = context;
  const predict = async (request: PredictRequest): Promise<PredictResponse> => {
    // The version stays held (not released by a reload) until the graph has run.
    const held = store.acquire(request.model, request.version);
    try {
      return await run(request, held.value, held.version);
    } finally {
      held.release();
    }
  };

  const run = async (
    request: PredictRequest,
    { spec, session }: LoadedModel,
    version: number,
  ): Promise<PredictResponse> => {
    const batch = request.batch;
    if (!(batch >= 1 && batch <= maxBatch))
      throw invalidArgument('batch', batch, `must be in [1, ${maxBatch}]`);
    const f = spec.denseFeatures;
    let dense = asF32(request.dense, 'dense');
    if (dense.length === f && f > 0 && batch > 1) dense = expandRows(dense, batch);
    else if (dense.length !== batch * f) {
      throw invalidArgument(
        'dense',
        `${dense.length} floats`,
        `expected ${batch} x ${f} (or one row of ${f})`,
      );
    }
    const embeddings = asF32(request.embeddings, 'embeddings');
    const want = spec.tables.length * batch * spec.dim;
    if (embeddings.length !== want) {
      throw invalidArgument(
        'embeddings',
        `${embeddings.length} floats`,
        `expected ${spec.tables.length} tables x ${batch} x ${spec.dim}`,
      );
    }
    const started = performance.now();
    const scores = await session.run(dense, embeddings, batch);
    const computeMs = performance.now() - started;
    const tasks = spec.tasks.length;
    if (scores.length !== batch * tasks)
      throw new RecmeshError(
        'internal',
        `the dense graph of ${spec.name} version ${version} gave ${scores.length} scores for ${batch} samples x ${tasks} tasks`,
      );
    usage.record(
      { model: spec.name, backend: backend.name },
      { busyS: computeMs / 1000, queries: 1, items: batch },
    );
    return {
      scores: bytesOf(scores),
      workerId: instance,
      backend: backend.name,
      computeMs,
      tasks,
      version,
    };
  };
  return {
    name: 'recmesh.v1.DenseService',
    definition: DenseServiceService,
    implementation: {
      predict: unary('DenseService/Predict', logger, predict),
      describeWorker: unary(
        'DenseService/DescribeWorker',
        logger,
        (): Promise<DescribeWorkerResponse> =>
          Promise.resolve({
            workerId: instance,
            backend: backend.name,
            models: store.names(),
            modelVersions: store.versions().map((v) => ({ retiring: false, ...v })),
          }),
      ),
    },
  };
}
