import {
  referenceGatherReduce,
  rowBytes,
  type DenseBackend,
  type TableData,
} from '@recmesh/backend';
import { invalidArgument, RecmeshError } from '@recmesh/errors';
import {
  DenseServiceService,
  type DescribeWorkerResponse,
  type PredictRequest,
  type PredictResponse,
  type TableLookup,
} from '@recmesh/proto';
import { asF32, bagBatchOf, BufferPool, bytesOf, unary, type ServiceBinding } from '@recmesh/rpc';
import type { ServiceContext } from '@recmesh/runtime';
import type { LoadedModel, SessionStore } from './sessions';

/** Repeats the row of `length` floats at `at` in `out` until it fills `times` rows, by doubling. */
function repeatRow(out: Float32Array, at: number, length: number, times: number): void {
  const end = length * times;
  for (let done = length; done < end; done *= 2)
    out.copyWithin(at + done, at, at + Math.min(done, end - done));
}

/** Repeats one row `batch` times. */
function expandRows(row: Float32Array, batch: number): Float32Array {
  const out = new Float32Array(row.length * batch);
  out.set(row);
  repeatRow(out, 0, row.length, batch);
  return out;
}

/**
 * The embeddings float32 [tables][batch][dim] in `into`, from `received` where each table of
 * `shared` carries one row: copied table by table, a shared row repeated.
 */
function repeatShared(
  received: Float32Array,
  shared: readonly number[],
  tables: number,
  batch: number,
  dim: number,
  into: Buffer,
): Float32Array {
  const out = new Float32Array(into.buffer, into.byteOffset, tables * batch * dim);
  const block = batch * dim;
  let from = 0;
  let next = 0;
  for (let table = 0; table < tables; table++) {
    const rows = shared[next] === table ? 1 : batch;
    if (rows === 1) next++;
    out.set(received.subarray(from, from + rows * dim), table * block);
    from += rows * dim;
    if (rows === 1) repeatRow(out, table * block, dim, batch);
  }
  return out;
}

/**
 * The embeddings float32 [tables][batch][dim] in `into`, pooled from the worker's own `tables`:
 * one lookup per table in table order, `batch` bags each (one for a table of `shared`, repeated).
 * Errors name the lookup and what is wrong with it. Returns the bytes of the rows it read.
 */
function poolLookups(
  lookups: readonly TableLookup[],
  tables: readonly TableData[],
  shared: readonly number[],
  batch: number,
  dim: number,
  into: Float32Array,
): number {
  if (lookups.length !== tables.length)
    throw invalidArgument(
      'lookups',
      `${lookups.length} lookups`,
      `expected one per table of the model (${tables.length})`,
    );
  const out = into;
  const block = batch * dim;
  let gathered = 0;
  lookups.forEach((lookup, t) => {
    const field = `lookups[${t}]`;
    if (lookup.table !== t)
      throw invalidArgument(
        `${field}.table`,
        lookup.table,
        `expected ${t}: one per table, in order`,
      );
    const table = tables[t] as TableData;
    const bags = bagBatchOf(field, lookup, table.rows);
    const rows = shared.includes(t) ? 1 : batch;
    if (bags.offsets.length !== rows)
      throw invalidArgument(
        `${field}.bags.offsets`,
        `${bags.offsets.length} bags`,
        rows === 1 && batch > 1 ? 'expected 1 (a table of shared_tables)' : `expected ${batch}`,
      );
    referenceGatherReduce(table, bags, out.subarray(t * block, t * block + rows * dim));
    if (rows === 1) repeatRow(out, t * block, dim, batch);
    gathered += bags.indices.length * rowBytes(table.dtype, table.dim);
  });
  return gathered;
}

/** Embedding tensors of requests with shared tables, reused (a few batch sizes recur). */
const EXPANDED_TENSOR_BYTES = 64 * 1024 * 1024;

/** DenseService over this worker's sessions. */
export function denseService(
  context: ServiceContext,
  backend: DenseBackend,
  store: SessionStore,
  maxBatch: number,
): ServiceBinding {
  const { logger, usage, instance } = context;
  const tensors = new BufferPool(EXPANDED_TENSOR_BYTES);
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
    { spec, session, tables: held }: LoadedModel,
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
    const received = asF32(request.embeddings, 'embeddings');
    const shared = request.sharedTables;
    const tables = spec.tables.length;
    shared.forEach((table, i) => {
      if (!(table < tables && (i === 0 || table > (shared[i - 1] as number))))
        throw invalidArgument(
          `shared_tables[${i}]`,
          table,
          `must be a table of ${spec.name} (< ${tables}), in strictly increasing order`,
        );
    });
    const lookups = request.lookups.length > 0;
    if (lookups && held === undefined)
      throw new RecmeshError(
        'failed_precondition',
        `lookups sent for ${spec.name} version ${version}, whose embedding tables this worker does not hold (RECMESH_WORKER_TABLES_MAX_MB): send the pooled embeddings instead`,
        { field: 'lookups', value: `${request.lookups.length} lookups` },
      );
    const want = lookups ? 0 : ((tables - shared.length) * batch + shared.length) * spec.dim;
    if (received.length !== want) {
      throw invalidArgument(
        'embeddings',
        `${received.length} floats`,
        lookups
          ? 'expected none: the request carries lookups'
          : `expected ${tables} tables x ${batch} x ${spec.dim}` +
              (shared.length > 0 ? `, ${shared.length} of them shared (1 x ${spec.dim})` : ''),
      );
    }
    const started = performance.now();
    const expanded =
      shared.length === 0 && !lookups ? undefined : tensors.take(tables * batch * spec.dim * 4);
    let scores: Float32Array;
    let gathered = 0;
    try {
      let embeddings = received;
      if (expanded !== undefined && lookups) {
        embeddings = new Float32Array(expanded.buffer, expanded.byteOffset, expanded.length / 4);
        gathered = poolLookups(request.lookups, held ?? [], shared, batch, spec.dim, embeddings);
      } else if (expanded !== undefined)
        embeddings = repeatShared(received, shared, tables, batch, spec.dim, expanded);
      scores = await session.run(dense, embeddings, batch);
    } finally {
      if (expanded !== undefined) tensors.give(expanded);
    }
    const computeMs = performance.now() - started;
    const tasks = spec.tasks.length;
    if (scores.length !== batch * tasks)
      throw new RecmeshError(
        'internal',
        `the dense graph of ${spec.name} version ${version} gave ${scores.length} scores for ${batch} samples x ${tasks} tasks`,
      );
    usage.record(
      { model: spec.name, backend: backend.name },
      { busyS: computeMs / 1000, queries: 1, items: batch, bytesMoved: gathered },
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
            modelVersions: store.versions().map((v) => ({ retiring: false, tables: false, ...v })),
          }),
      ),
    },
  };
}
