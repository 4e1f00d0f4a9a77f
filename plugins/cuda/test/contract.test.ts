// The contract: the same parity checks as the harness (every dtype, pooling mode and weighting;
// the dense graphs), through the plugin, on the GPU and on the CPU emulator of the same kernels.
// Each is skipped, with the reason printed, where it cannot run.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  embeddingBackendOf,
  denseBackendOf,
  loadBackend,
  referenceGatherReduce,
  type BagBatch,
  type Dtype,
  type EmbeddingBackend,
} from '@recmesh/backend';
import { isRecmeshError } from '@recmesh/errors';
import { OrtCpuDenseBackend } from '@recmesh/plugin-cpu';
import { CudaDenseBackend, CudaEmbeddingBackend, DEFAULT_CUDA_OPTIONS } from '@recmesh/plugin-cuda';
import { denseGraphOf, denseInputs } from './support/graphs';
import { emulatedTarget, gpuTarget, type Target } from './support/targets';
import { decodeTable, randomBags, randomTable } from './support/tables';

/**
 * Pools `batch` on `backend` and checks every element against referenceGatherReduce over the
 * decoded rows, within 1e-5 of the magnitude of the terms pooled (float sums of 40 terms differ
 * by about 40 * 2^-24 of it).
 */
async function checkParity(
  backend: EmbeddingBackend,
  dtype: Dtype,
  rows: number,
  dim: number,
  batch: BagBatch,
  seed: number,
): Promise<void> {
  const data = randomTable(rows, dim, dtype, seed);
  const table = backend.loadTable(data);
  const bags = batch.offsets.length;
  const got = new Float32Array(bags * dim).fill(Number.NaN);
  await backend.gatherReduce(table, batch, got);
  const values = decodeTable(data);
  const want = new Float32Array(bags * dim);
  referenceGatherReduce({ dtype: 'fp32', rows, dim, data: values }, batch, want);
  const magnitude = new Float32Array(bags * dim);
  referenceGatherReduce(
    { dtype: 'fp32', rows, dim, data: values.map(Math.abs) },
    { ...batch, ...(batch.weights ? { weights: batch.weights.map(Math.abs) } : {}) },
    magnitude,
  );
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs((got[i] as number) - (want[i] as number));
    const tol = 1e-5 * (magnitude[i] as number) + 1e-6;
    assert.ok(err <= tol, `element ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol})`);
  }
}

function contractSuites({ name, open, skip, engines, emulated }: Target): void {
  if (skip) console.log(`# cuda contract tests (${name}) skipped: ${skip}`);
  // The plugin's module loads the nvcc-built addon from its build folder, never the emulated one.
  const moduleSkip = emulated ? 'the plugin module loads the nvcc-built addon only' : false;
  describe(`cuda embedding contract (${name})`, { skip }, () => {
    const backend = new CudaEmbeddingBackend(open());
    after(() => backend.dispose());
    // dim 3: scalar loads; 32 and 64: four and two rows per warp step; 130: scalar, many chunks;
    // 520: vector loads, eight chunks per lane.
    for (const dtype of ['fp32', 'fp16', 'int8'] as const)
      for (const mode of ['sum', 'mean'] as const)
        for (const weighted of [false, true])
          it(`${dtype} ${weighted ? 'weighted ' : ''}${mode}`, async () => {
            for (const [i, dim] of [3, 32, 64, 130, 520].entries()) {
              const batch = randomBags(1000, 257, 40, mode, weighted, 100 + i);
              await checkParity(backend, dtype, 1000, dim, batch, 7 + i);
            }
          });

    it('a batch larger than partLookups is split over the lanes and pooled the same', async () => {
      const batch = randomBags(50_000, 8192, 80, 'sum', true, 5);
      assert.ok(batch.indices.length > 4 * DEFAULT_CUDA_OPTIONS.partLookups);
      await checkParity(backend, 'fp32', 50_000, 64, batch, 6);
    });

    it('an index outside the table is refused by position, and the device stays usable', async () => {
      const table = backend.loadTable(randomTable(100, 16, 'fp32', 1));
      const out = new Float32Array(2 * 16);
      const bad = {
        indices: Int32Array.of(1, 2, 100),
        offsets: Int32Array.of(0, 2),
        mode: 'sum' as const,
      };
      await assert.rejects(
        backend.gatherReduce(table, bad, out),
        (err) =>
          isRecmeshError(err) &&
          err.kind === 'invalid_argument' &&
          /indices\[2\] = 100/.test(err.message),
      );
      await checkParity(backend, 'fp32', 100, 16, randomBags(100, 10, 5, 'sum', false, 2), 1);
    });

    it('through loadBackend and embeddingBackendOf', { skip: moduleSkip }, async () => {
      const container = await loadBackend('cuda', (id) => import(id));
      const viaModule = embeddingBackendOf(container);
      const report = viaModule.capabilities();
      assert.equal(report.available, true);
      assert.equal(report.kernel, 'cuda-gather-reduce');
      await checkParity(viaModule, 'fp16', 500, 64, randomBags(500, 64, 20, 'mean', true, 3), 4);
      await viaModule.dispose();
    });
  });

  describe(`cuda dense contract (${name})`, { skip }, () => {
    const cpu = new OrtCpuDenseBackend();
    // The scores of onnxruntime's CPU provider on the same ONNX graph are the reference: an
    // independent implementation, and what the cpu backend serves. Probabilities agree to 1e-5.
    for (const engine of engines)
      for (const model of ['rmc1', 'rmc3', 'rmc1-dot', 'rmc2-dot'])
        it(`${model} on ${engine}: scores match onnxruntime on the CPU`, async () => {
          const graph = denseGraphOf(model);
          const reference = await cpu.createSession(graph, { intraOpThreads: 1 });
          const backend = new CudaDenseBackend(open({ dense: engine }));
          const session = await backend.createSession(graph, { intraOpThreads: 1 });
          assert.equal(
            backend.capabilities().kernel,
            engine === 'kernels' ? 'cuda-fused-mlp' : 'onnxruntime-cuda',
          );
          for (const batch of [1, 37, 300]) {
            const { dense, embeddings } = denseInputs(graph, batch, batch);
            const want = await reference.run(dense, embeddings, batch);
            const got = await session.run(dense, embeddings, batch);
            assert.equal(got.length, batch);
            for (let i = 0; i < batch; i++)
              assert.ok(
                Math.abs((got[i] as number) - (want[i] as number)) <= 1e-5,
                `sample ${i}: ${got[i]} vs ${want[i]}`,
              );
          }
          await session.release();
          await reference.release();
        });

    it('through loadBackend and denseBackendOf', { skip: moduleSkip }, async () => {
      const container = await loadBackend('cuda', (id) => import(id));
      const report = denseBackendOf(container).capabilities();
      assert.equal(report.available, true);
      assert.match(report.kernel, /^(onnxruntime-cuda|cuda-fused-mlp)$/);
    });
  });
}

contractSuites(gpuTarget());
contractSuites(emulatedTarget());
