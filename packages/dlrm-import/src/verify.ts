import * as ort from 'onnxruntime-node';
import { referenceGatherReduce } from '@recmesh/backend';
import { streamKey, uniformAt } from '@recmesh/models';
import type { ExtractedDlrm } from './extract';

/** Random inputs in the export's form: per sample dense features and one bag per table. */
export interface Samples {
  readonly count: number;
  /** float32 [count][denseFeatures] */
  readonly dense: Float32Array;
  /** Per table: bag starts (one per sample) and row ids. */
  readonly bags: readonly { offsets: number[]; indices: number[] }[];
}

export interface Verification {
  readonly samples: number;
  readonly maxAbsError: number;
  /** The sample that disagreed most, and both predictions. */
  readonly worst: { readonly sample: number; readonly original: number; readonly imported: number };
}

/**
 * `count` samples: dense features uniform in [0, 4) (Criteo's log-transformed counts are of that
 * order), bags of 0 to 5 ids uniform over each table's rows, every table's last row among them.
 */
export function randomSamples(model: ExtractedDlrm, count: number, seed: number): Samples {
  const key = streamKey(seed, 'dlrm-import');
  let i = 0;
  const rand = () => uniformAt(key, i++);
  const dense = Float32Array.from({ length: count * model.denseFeatures }, () => 4 * rand());
  const bags = model.tables.map((t) => {
    const rows = t.dims[0] as number;
    const offsets: number[] = [];
    const indices: number[] = [];
    for (let s = 0; s < count; s++) {
      offsets.push(indices.length);
      const n = Math.floor(6 * rand());
      for (let k = 0; k < n; k++) indices.push(Math.floor(rand() * rows));
    }
    indices[0] = rows - 1;
    if (offsets[1] === 0) offsets[1] = 1; // the first bag holds that row
    return { offsets, indices };
  });
  return { count, dense, bags };
}

/** The export's prediction for `samples`, run as it is on onnxruntime (Loops and all). */
export async function runOriginal(
  bytes: Uint8Array,
  model: ExtractedDlrm,
  samples: Samples,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const feeds: Record<string, ort.Tensor> = {
      [model.inputs.dense]: new ort.Tensor('float32', samples.dense, [
        samples.count,
        model.denseFeatures,
      ]),
    };
    samples.bags.forEach((b, t) => {
      feeds[model.inputs.offsets[t] as string] = new ort.Tensor(
        'int64',
        BigInt64Array.from(b.offsets, BigInt),
        [samples.count],
      );
      feeds[model.inputs.indices[t] as string] = new ort.Tensor(
        'int64',
        BigInt64Array.from(b.indices, BigInt),
        [b.indices.length],
      );
    });
    const out = (await session.run(feeds))[model.output];
    if (out === undefined) throw new Error(`the export gave no output ${model.output}`);
    return Float32Array.from(out.data as Float32Array);
  } finally {
    await session.release();
  }
}

/**
 * The imported pipeline's prediction: bags pooled from the lifted tables by recmesh's reference
 * gather-reduce (sum), then the rebuilt dense graph on onnxruntime.
 */
export async function runImported(
  denseOnnx: Uint8Array,
  model: ExtractedDlrm,
  samples: Samples,
): Promise<Float32Array> {
  const t = model.tables.length;
  const d = model.dim;
  const emb = new Float32Array(t * samples.count * d);
  model.tables.forEach((table, k) => {
    const bags = samples.bags[k] as Samples['bags'][number];
    referenceGatherReduce(
      { dtype: 'fp32', rows: table.dims[0] as number, dim: d, data: table.data },
      {
        indices: Int32Array.from(bags.indices),
        offsets: Int32Array.from(bags.offsets),
        mode: 'sum',
      },
      emb.subarray(k * samples.count * d, (k + 1) * samples.count * d),
    );
  });
  const session = await ort.InferenceSession.create(denseOnnx, { logSeverityLevel: 3 });
  try {
    const out = await session.run({
      dense: new ort.Tensor('float32', samples.dense, [samples.count, model.denseFeatures]),
      emb: new ort.Tensor('float32', emb, [t, samples.count, d]),
    });
    return Float32Array.from(out.prob?.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Both pipelines on the same samples: the largest absolute difference and where it is. */
export async function verifyImport(
  original: Uint8Array,
  denseOnnx: Uint8Array,
  model: ExtractedDlrm,
  samples: Samples,
): Promise<Verification> {
  const [a, b] = await Promise.all([
    runOriginal(original, model, samples),
    runImported(denseOnnx, model, samples),
  ]);
  let worst = { sample: 0, original: a[0] as number, imported: b[0] as number };
  let maxAbsError = 0;
  for (let s = 0; s < samples.count; s++) {
    const e = Math.abs((a[s] as number) - (b[s] as number));
    if (!(e <= maxAbsError)) {
      maxAbsError = Number.isNaN(e) ? Infinity : e;
      worst = { sample: s, original: a[s] as number, imported: b[s] as number };
    }
  }
  return { samples: samples.count, maxAbsError, worst };
}
