// Every kernel (native AVX2, native generic, TypeScript) against a naive float64 loop over the
// decoded rows, for every dtype and pooling mode, on random and adversarial bags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '@recmesh/workload';
import {
  decodeRow,
  encodeFp16,
  quantizeFused8BitRowwise,
  type BagBatch,
  type Dtype,
  type TableData,
} from '@recmesh/backend';
import { CpuEmbeddingBackend, type KernelChoice } from '../src/index';

function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

function makeTable(
  backend: CpuEmbeddingBackend,
  dtype: Dtype,
  rows: number,
  dim: number,
  rand: () => number,
): TableData {
  const values = Float32Array.from({ length: rows * dim }, () => (rand() - 0.5) * 4);
  const table = backend.allocateTable(dtype, rows, dim);
  if (table.dtype === 'fp32') table.data.set(values);
  else if (table.dtype === 'fp16') encodeFp16(values, table.data);
  else quantizeFused8BitRowwise(values, dim, table.data);
  return table;
}

/** The naive loop: decoded rows, float64 sums. Also returns sum |w x| per bag for the tolerance. */
function naive(table: TableData, batch: BagBatch): { sums: Float64Array; mags: Float64Array } {
  const { dim } = table;
  const bags = batch.offsets.length;
  const sums = new Float64Array(bags * dim);
  const mags = new Float64Array(bags);
  const row = new Float64Array(dim);
  for (let b = 0; b < bags; b++) {
    const s = batch.offsets[b] as number;
    const e = b + 1 < bags ? (batch.offsets[b + 1] as number) : batch.indices.length;
    for (let i = s; i < e; i++) {
      decodeRow(table, batch.indices[i] as number, row);
      const w = batch.weights?.[i] ?? 1;
      for (let d = 0; d < dim; d++) {
        sums[b * dim + d] = (sums[b * dim + d] as number) + w * (row[d] as number);
        mags[b] = Math.max(mags[b] as number, Math.abs(w * (row[d] as number)) * (e - s));
      }
    }
    if (batch.mode === 'mean' && e > s) {
      for (let d = 0; d < dim; d++) sums[b * dim + d] = (sums[b * dim + d] as number) / (e - s);
      mags[b] = (mags[b] as number) / (e - s);
    }
  }
  return { sums, mags };
}

function assertClose(table: TableData, batch: BagBatch, out: Float32Array, what: string): void {
  const { sums, mags } = naive(table, batch);
  const dim = table.dim;
  for (let k = 0; k < sums.length; k++) {
    const b = Math.floor(k / dim);
    // float32 accumulation: a few ulps of the largest term per added row.
    const tol = 1e-5 * Math.max(1, mags[b] as number);
    const got = out[k] as number;
    const want = sums[k] as number;
    if (!(Math.abs(got - want) <= tol))
      assert.fail(
        `${what}: bag ${b} element ${k % dim}: got ${got}, want ${want} (tolerance ${tol})`,
      );
  }
}

/** Random bags plus the adversarial ones: empty bags (first, middle, last), repeats, row 0, last row. */
function makeBatch(
  rows: number,
  bags: number,
  maxPool: number,
  weighted: boolean,
  mode: 'sum' | 'mean',
  rand: () => number,
): BagBatch {
  const ids: number[] = [];
  const offsets: number[] = [];
  for (let b = 0; b < bags; b++) {
    offsets.push(ids.length);
    if (b === 0 || b === Math.floor(bags / 2) || b === bags - 1) continue; // empty bags
    const len = 1 + Math.floor(rand() * maxPool);
    for (let i = 0; i < len; i++) {
      const pick = rand();
      ids.push(pick < 0.1 ? rows - 1 : pick < 0.15 ? 0 : Math.floor(rand() * rows));
    }
    if (b % 5 === 1) ids.push(...Array<number>(7).fill(ids.at(-1) ?? 0)); // one row many times
  }
  const indices = Int32Array.from(ids);
  return {
    indices,
    offsets: Int32Array.from(offsets),
    mode,
    ...(weighted ? { weights: Float32Array.from(indices, () => (rand() - 0.5) * 3) } : {}),
  };
}

const KERNELS: readonly KernelChoice[] = ['native', 'native-generic', 'typescript'];
const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'int8'];
// 64 and 16: register-resident AVX2 sums; 72 (9 blocks), 130 (tail), 3 and 1: the other paths.
const SHAPES = [
  { rows: 1, dim: 64 },
  { rows: 1000, dim: 64 },
  { rows: 257, dim: 16 },
  { rows: 100, dim: 72 },
  { rows: 50, dim: 130 },
  { rows: 33, dim: 3 },
  { rows: 5, dim: 1 },
];

describe('gather-reduce against a naive loop', () => {
  for (const kernel of KERNELS) {
    const backend = new CpuEmbeddingBackend({ kernel, threads: 2, minIndicesPerThread: 64 });
    it(`${kernel}: loads (${backend.capabilities().kernel})`, () => {
      const caps = backend.capabilities();
      assert.ok(caps.available, caps.reason);
      if (kernel !== 'typescript') assert.match(caps.kernel, /^native-/);
    });
    for (const dtype of DTYPES) {
      for (const mode of ['sum', 'mean'] as const) {
        for (const weighted of [false, true]) {
          it(`${kernel} ${dtype} ${mode}${weighted ? ' weighted' : ''}`, async () => {
            const rand = rng(dtype.length * 131 + (weighted ? 7 : 0) + mode.length);
            for (const { rows, dim } of SHAPES) {
              const table = makeTable(backend, dtype, rows, dim, rand);
              const held = backend.loadTable(table);
              const batch = makeBatch(rows, 37, 40, weighted, mode, rand);
              const out = new Float32Array(37 * dim).fill(Number.NaN);
              await backend.gatherReduce(held, batch, out);
              assertClose(table, batch, out, `${kernel} ${dtype} ${mode} ${rows}x${dim}`);
            }
          });
        }
      }
    }
    it(`${kernel}: no bags, and bags with no indices at all`, async () => {
      const table = makeTable(backend, 'fp32', 4, 8, rng(1));
      const held = backend.loadTable(table);
      await backend.gatherReduce(
        held,
        { indices: new Int32Array(0), offsets: new Int32Array(0), mode: 'sum' },
        new Float32Array(0),
      );
      const out = new Float32Array(3 * 8).fill(7);
      await backend.gatherReduce(
        held,
        { indices: new Int32Array(0), offsets: new Int32Array(3), mode: 'mean' },
        out,
      );
      assert.deepEqual([...out], Array<number>(24).fill(0));
    });
  }
});

describe('native kernel', () => {
  const backend = new CpuEmbeddingBackend({ kernel: 'native', threads: 2, minIndicesPerThread: 1 });
  const table = makeTable(backend, 'fp32', 10, 64, rng(3));
  const held = backend.loadTable(table);

  it('splits one batch over threads and gets the same sums as one thread', async () => {
    const one = new CpuEmbeddingBackend({ kernel: 'native', threads: 1 });
    const big = makeTable(backend, 'fp16', 5000, 64, rng(4));
    const batch = makeBatch(5000, 999, 60, true, 'sum', rng(5));
    const a = new Float32Array(999 * 64);
    const b = new Float32Array(999 * 64);
    await one.gatherReduce(one.loadTable(big), batch, a);
    await backend.gatherReduce(backend.loadTable(big), batch, b);
    assert.deepEqual(a, b);
  });

  it('rejects an index outside the table instead of reading past it', async () => {
    for (const bad of [10, -1, 2 ** 31 - 1]) {
      await assert.rejects(
        backend.gatherReduce(
          held,
          { indices: Int32Array.of(0, 9, bad), offsets: Int32Array.of(0, 1), mode: 'sum' },
          new Float32Array(2 * 64),
        ),
        (err: Error) =>
          err instanceof RangeError &&
          err.message.includes(`indices[2] = ${bad}`) &&
          err.message.includes('10 rows'),
      );
    }
  });

  it('rejects offsets that decrease or pass the end, and short buffers', async () => {
    await assert.rejects(
      backend.gatherReduce(
        held,
        { indices: Int32Array.of(0, 1, 2), offsets: Int32Array.of(0, 2, 1), mode: 'sum' },
        new Float32Array(3 * 64),
      ),
      /offsets\[2\] = 1 is not a valid bag boundary/,
    );
    await assert.rejects(
      backend.gatherReduce(
        held,
        { indices: Int32Array.of(0, 1), offsets: Int32Array.of(0, 5), mode: 'sum' },
        new Float32Array(2 * 64),
      ),
      /offsets\[1\] = 5/,
    );
    await assert.rejects(
      backend.gatherReduce(
        held,
        { indices: Int32Array.of(0), offsets: Int32Array.of(0, 0), mode: 'sum' },
        new Float32Array(64),
      ),
      /out holds 64 floats, fewer than 2 bags x 64/,
    );
    await assert.rejects(
      backend.gatherReduce(
        held,
        {
          indices: Int32Array.of(0, 1),
          offsets: Int32Array.of(0),
          weights: Float32Array.of(1),
          mode: 'sum',
        },
        new Float32Array(64),
      ),
      /weights must match/,
    );
  });

  it('refuses a table whose data is shorter than rows x dim', () => {
    assert.throws(
      () => backend.loadTable({ dtype: 'fp32', rows: 10, dim: 64, data: new Float32Array(639) }),
      /needs 2560 bytes; its data has 2556/,
    );
  });

  it('runs off the event loop: timers fire while a large batch is pooled', async () => {
    const one = new CpuEmbeddingBackend({ kernel: 'native', threads: 1 });
    const big = one.loadTable(makeTable(one, 'fp32', 200_000, 64, rng(6)));
    const n = 4_000_000;
    const indices = new Int32Array(n);
    const rand = rng(7);
    for (let i = 0; i < n; i++) indices[i] = Math.floor(rand() * 200_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await one.gatherReduce(
      big,
      { indices, offsets: Int32Array.of(0), mode: 'sum' },
      new Float32Array(64),
    );
    const ms = performance.now() - started;
    clearInterval(timer);
    assert.ok(ms < 5 || ticks > 0, `no timer fired during a ${ms.toFixed(1)} ms gather`);
  });

  it('allocates zeroed table memory outside the JS heap', () => {
    const t = backend.allocateTable('int8', 1000, 64);
    assert.equal(t.data.byteLength, 1000 * 72);
    assert.ok(t.data.every((x) => x === 0));
  });
});

describe('typescript fallback', () => {
  it('reports itself as the kernel in use, with the reason', () => {
    const caps = new CpuEmbeddingBackend({ kernel: 'typescript' }).capabilities();
    assert.equal(caps.kernel, 'typescript');
    assert.equal(caps.details.offEventLoop, false);
  });
});
