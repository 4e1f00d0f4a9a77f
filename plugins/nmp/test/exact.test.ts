// The nmp backend's results are the CPU backend's, bit for bit: every pooling mode, with and
// without weights, adversarial bags, paced or not. Both are checked against the plain loop too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  referenceGatherReduce,
  type BagBatch,
  type Dtype,
  type EmbeddingBackend,
  type PoolingMode,
} from '@recmesh/backend';
import { isRecmeshError } from '@recmesh/errors';
import { CpuEmbeddingBackend } from '@recmesh/plugin-cpu';
import { NmpEmbeddingBackend, parseNmpConfig, ZipfSampler } from '@recmesh/plugin-nmp';
import { randomTable } from '../src/bench/table-data';

interface Case {
  readonly name: string;
  readonly rows: number;
  readonly dim: number;
  readonly indices: number[];
  readonly offsets: number[];
}

function randomCase(rows: number, dim: number, bags: number, pool: number, seed: number): Case {
  const { indices, offsets } = new ZipfSampler(rows, 0.9, seed).bags(bags, pool);
  return {
    name: `random ${rows}x${dim}, ${bags} bags of ${pool}`,
    rows,
    dim,
    indices: [...indices],
    offsets: [...offsets],
  };
}

const CASES: readonly Case[] = [
  {
    name: 'empty bags among full ones',
    rows: 50,
    dim: 8,
    indices: [1, 2, 3, 49],
    offsets: [0, 0, 3, 3, 4],
  },
  { name: 'every bag empty', rows: 10, dim: 4, indices: [], offsets: [0, 0, 0] },
  { name: 'no bags at all', rows: 10, dim: 4, indices: [], offsets: [] },
  {
    name: 'one row repeated in a bag and across bags',
    rows: 20,
    dim: 5,
    indices: [7, 7, 7, 7, 7, 7],
    offsets: [0, 4],
  },
  { name: 'the last row', rows: 33, dim: 3, indices: [32, 0, 32], offsets: [0, 1] },
  { name: 'a single-row table', rows: 1, dim: 16, indices: [0, 0, 0], offsets: [0, 1, 1] },
  {
    name: 'a long bag over few rows (dim 1)',
    rows: 3,
    dim: 1,
    indices: Array.from({ length: 500 }, (_, i) => i % 3),
    offsets: [0],
  },
  {
    name: 'dim not a multiple of a burst',
    rows: 300,
    dim: 37,
    indices: [299, 5, 5, 17, 123],
    offsets: [0, 2],
  },
  randomCase(4096, 32, 64, 80, 3),
  randomCase(20_000, 64, 25, 120, 5),
];

const MODES: readonly PoolingMode[] = ['sum', 'mean'];

function batchOf(c: Case, mode: PoolingMode, weighted: boolean): BagBatch {
  const indices = Int32Array.from(c.indices);
  const batch: BagBatch = { indices, offsets: Int32Array.from(c.offsets), mode };
  if (!weighted) return batch;
  const weights = Float32Array.from(indices, (_, i) => ((i * 7919) % 13) / 4 - 1.5);
  return { ...batch, weights };
}

async function pooled(backend: EmbeddingBackend, c: Case, batch: BagBatch, dtype: Dtype = 'fp32') {
  const table = backend.loadTable(randomTable(c.rows, c.dim, dtype, c.rows + c.dim));
  const out = new Float32Array(c.offsets.length * c.dim).fill(Number.NaN);
  await backend.gatherReduce(table, batch, out);
  return out;
}

for (const paced of [false, true]) {
  describe(`nmp results equal the cpu backend's (${paced ? 'paced' : 'unpaced'})`, () => {
    for (const c of CASES) {
      for (const mode of MODES) {
        for (const weighted of [false, true]) {
          it(`${c.name}: ${mode}${weighted ? ', weighted' : ''}`, async () => {
            const batch = batchOf(c, mode, weighted);
            const nmp = new NmpEmbeddingBackend(parseNmpConfig({ paced }));
            const cpu = new CpuEmbeddingBackend();
            const got = await pooled(nmp, c, batch);
            const want = await pooled(cpu, c, batch);
            assert.deepEqual(got, want);
            const table = randomTable(c.rows, c.dim, 'fp32', c.rows + c.dim);
            const plain = new Float32Array(want.length);
            referenceGatherReduce(table, batch, plain);
            for (let i = 0; i < plain.length; i++) {
              const tol = 1e-5 * Math.max(1, Math.abs(plain[i] as number));
              assert.ok(Math.abs((got[i] as number) - (plain[i] as number)) <= tol, `element ${i}`);
            }
            await nmp.dispose();
          });
        }
      }
    }
  });
}

describe('nmp holds every dtype the cpu backend holds, with the same results or the same error', () => {
  for (const dtype of ['fp16', 'int8'] as const) {
    it(dtype, async () => {
      const c = randomCase(512, 24, 16, 10, 9);
      const batch = batchOf(c, 'sum', true);
      const outcome = async (backend: EmbeddingBackend) => {
        try {
          return { out: await pooled(backend, c, batch, dtype) };
        } catch (err) {
          assert.ok(isRecmeshError(err), String(err));
          return { kind: err.kind, message: err.message };
        }
      };
      assert.deepEqual(
        await outcome(new NmpEmbeddingBackend(parseNmpConfig({}))),
        await outcome(new CpuEmbeddingBackend()),
      );
    });
  }
});

describe('nmp keeps tables apart', () => {
  it('pools each table from its own rows', async () => {
    const nmp = new NmpEmbeddingBackend(parseNmpConfig({}));
    const a = nmp.loadTable(randomTable(100, 8, 'fp32', 1));
    const b = nmp.loadTable(randomTable(100, 8, 'fp32', 2));
    const batch: BagBatch = {
      indices: Int32Array.from([3, 99]),
      offsets: Int32Array.from([0]),
      mode: 'sum',
    };
    const outA = new Float32Array(8);
    const outB = new Float32Array(8);
    await nmp.gatherReduce(a, batch, outA);
    await nmp.gatherReduce(b, batch, outB);
    const cpu = new CpuEmbeddingBackend();
    const want = new Float32Array(8);
    await cpu.gatherReduce(cpu.loadTable(randomTable(100, 8, 'fp32', 2)), batch, want);
    assert.deepEqual(outB, want);
    assert.notDeepEqual(outA, outB);
  });
});
