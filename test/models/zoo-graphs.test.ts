// Every preset's dense graph, run on onnxruntime through the cpu backend, against its
// independent float64 forward pass (1e-5 relative; 1e-7 absolute for scores near 0) (test/support/reference-*.ts): random pooled inputs, short
// histories for DIN and DIEN, every DLRM interaction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrtCpuDenseBackend } from '@recmesh/plugin-cpu';
import {
  buildDenseGraph,
  denseGraphOf,
  PRESETS,
  resolveModel,
  streamKey,
  uniformAt,
  type GraphOptions,
  type ModelSpec,
} from '@recmesh/models';
import { PooledTables, type ReferenceSample } from '../support/reference-math';
import { referenceModel } from '../support/reference-model';

const ROW_SCALE = 0.0002;
const BATCH = 5;

/** Random samples: dense in [0, 1), bags of 0 to 3 ids; DIN/DIEN histories cut short at random. */
function samples(spec: ModelSpec, seed: number): ReferenceSample[] {
  const key = streamKey(seed, spec.name);
  let i = 0;
  const rand = () => uniformAt(key, i++);
  const a = spec.architecture;
  const behaviours = a.kind === 'din' || a.kind === 'dien' ? a.behaviours : 0;
  return Array.from({ length: BATCH }, (_, s) => {
    // Sample 0 has a full history; the others stop after a random number of behaviours.
    const historyEnd = s === 0 ? behaviours : Math.floor(rand() * (behaviours + 1));
    return {
      dense: Array.from({ length: spec.denseFeatures }, rand),
      bags: spec.tables.map((t, table) => {
        const inHistory = table >= 1 && table <= behaviours;
        if (inHistory && table > historyEnd) return [];
        const n = 1 + Math.floor(rand() * 3);
        return Array.from({ length: n }, () => Math.floor(rand() * t.rows));
      }),
    };
  });
}

const names = [
  ...Object.keys(PRESETS),
  'rmc1-dot',
  'rmc2-dot-self',
  'rm-small-cat',
  'rm-large-dot-self',
];

/** Scores `name`'s graph (built with `options`) on onnxruntime against the float64 reference. */
async function checkAgainstReference(
  backend: OrtCpuDenseBackend,
  name: string,
  options?: GraphOptions,
): Promise<void> {
  const spec = resolveModel(name, { rowScale: ROW_SCALE, seed: 5 });
  const reference = referenceModel(spec);
  const tables = new PooledTables(spec);
  const batch = samples(spec, 3);
  const t = spec.tables.length;
  const d = spec.dim;
  const emb = new Float32Array(t * BATCH * d);
  batch.forEach((sample, b) =>
    sample.bags.forEach((bag, table) =>
      emb.set(tables.pooled(table, bag), (table * BATCH + b) * d),
    ),
  );
  const dense = Float32Array.from(batch.flatMap((s) => Array.from(s.dense)));
  const graph =
    options === undefined
      ? denseGraphOf(spec)
      : denseGraphOf(spec, buildDenseGraph(spec, undefined, options));
  const session = await backend.createSession(graph, { intraOpThreads: 1 });
  try {
    const out = await session.run(dense, emb, BATCH);
    const k = spec.tasks.length;
    assert.equal(out.length, BATCH * k);
    batch.forEach((sample, b) => {
      // The reference pools in float64; the graph sees float32 pooled vectors like the mesh.
      const want = reference.scores({
        dense: sample.dense,
        bags: sample.bags,
      });
      want.forEach((w, task) => {
        const got = out[b * k + task] as number;
        const abs = Math.abs(got - w);
        const rel = abs / Math.max(Math.abs(w), 1e-30);
        // Saturated sigmoids (scores near 0) are compared absolutely: float32 logits differ.
        assert.ok(
          rel <= 1e-5 || abs <= 1e-7,
          `${name} sample ${b} task ${task}: graph ${got}, reference ${w}, relative error ${rel}`,
        );
      });
    });
  } finally {
    await session.release();
  }
}

describe('every preset graph equals its independent forward pass', () => {
  const backend = new OrtCpuDenseBackend();
  for (const name of names) {
    it(`${name}: ${BATCH} samples, every task, within 1e-5 relative (1e-7 absolute near 0)`, () =>
      checkAgainstReference(backend, name));
  }
});

describe("every lowering of DLRM's dot interaction gives the same scores", () => {
  const backend = new OrtCpuDenseBackend();
  for (const name of ['rm-small', 'rmc1-dot', 'rmc2-dot-self'])
    for (const dotLowering of ['folded', 'selected', 'gather'] as const)
      it(`${name}, ${dotLowering}: against the forward pass`, () =>
        checkAgainstReference(backend, name, { dotLowering }));
});
