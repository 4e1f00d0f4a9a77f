// Where the GPU cannot be used the plugin says why (no addon, no driver, driver too old, no device,
// a failing open), the contract's loaders refuse it with that reason, and a service configured
// with it exits non-zero with the reason instead of falling back to another backend.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { denseBackendOf, embeddingBackendOf, loadBackend } from '@recmesh/backend';
import { isRecmeshError } from '@recmesh/errors';
import {
  CudaDenseBackend,
  CudaDevice,
  CudaEmbeddingBackend,
  cudaOptionsFrom,
  DEFAULT_CUDA_OPTIONS,
  ortCudaProvider,
  type AddonLoad,
  type CudaAddon,
  type ProbeResult,
} from '@recmesh/plugin-cuda';

const REASON = /^(no addon|no driver|driver too old|no device|CUDA error): ./;
const here = new CudaDevice(DEFAULT_CUDA_OPTIONS);
const GPU_HERE = here.available ? 'a GPU is usable here, so nothing is unavailable' : false;

/** An addon whose probe and open give what a machine without a usable GPU gives. */
function addonSaying(probe: Partial<ProbeResult>, open?: () => void): () => AddonLoad {
  const addon = {
    probe: () => ({
      driverLoaded: true,
      driverError: '',
      driverVersion: '12.4',
      runtimeVersion: '13.0',
      archs: 'sm_90+compute_90',
      unavailable: '',
      devices: [],
      ...probe,
    }),
    open: open ?? (() => undefined),
    memoryInfo: () => ({ free: 0, total: 0 }),
  } as unknown as CudaAddon;
  return () => ({ ok: true, addon, path: '/fake/recmesh_cuda.node' });
}

function reasonOf(load: () => AddonLoad, options = DEFAULT_CUDA_OPTIONS): string | undefined {
  const device = new CudaDevice(options, load);
  const embedding = new CudaEmbeddingBackend(device).capabilities();
  const dense = new CudaDenseBackend(device).capabilities();
  assert.equal(embedding.available, device.available);
  assert.equal(dense.reason, embedding.reason);
  if (!embedding.available) assert.equal(embedding.kernel, 'none');
  return embedding.reason;
}

const H100 = {
  index: 0,
  name: 'NVIDIA H100 80GB HBM3',
  computeCapability: '9.0',
  totalMemory: 85e9,
  multiprocessors: 132,
  memoryBusBits: 5120,
  l2Bytes: 52428800,
};

describe('unavailable report', () => {
  it('names why on this machine', { skip: GPU_HERE }, () => {
    const embedding = new CudaEmbeddingBackend(here).capabilities();
    const dense = new CudaDenseBackend(here).capabilities();
    assert.equal(embedding.available, false);
    assert.match(embedding.reason ?? '', REASON);
    assert.equal(dense.reason, embedding.reason);
    console.log(`# cuda here: ${embedding.reason}`);
  });

  it('no addon: the reason the loader gives', () => {
    assert.equal(
      reasonOf(() => ({ ok: false, reason: 'no addon: nvcc was not found' })),
      'no addon: nvcc was not found',
    );
  });

  it('no driver, driver too old, no device: what the probe found', () => {
    for (const unavailable of [
      'no driver: libcuda.so.1 could not be loaded (libcuda.so.1: cannot open shared object file)',
      'driver too old: the NVIDIA driver supports CUDA 12.4, the addon was built with CUDA 13.0',
      'no device: the NVIDIA driver (CUDA 12.4) sees no GPU',
    ])
      assert.equal(reasonOf(addonSaying({ unavailable })), unavailable);
  });

  it('no device: a device index the driver does not have', () => {
    assert.equal(
      reasonOf(addonSaying({ devices: [H100] }), { ...DEFAULT_CUDA_OPTIONS, device: 2 }),
      'no device: device 2 was configured, the driver sees 1',
    );
  });

  it('CUDA error: a device that fails to open', () => {
    const reason = reasonOf(
      addonSaying({ devices: [H100] }, () => {
        throw new Error('cudaStreamCreateWithFlags failed: cudaErrorDevicesUnavailable');
      }),
    );
    assert.equal(
      reason,
      'CUDA error: opening device 0 failed: cudaStreamCreateWithFlags failed: cudaErrorDevicesUnavailable',
    );
  });

  it('an unavailable backend refuses work with the reason', async () => {
    const device = new CudaDevice(DEFAULT_CUDA_OPTIONS, () => ({
      ok: false,
      reason: 'no addon: x',
    }));
    const embedding = new CudaEmbeddingBackend(device);
    assert.throws(
      () => embedding.loadTable({ rows: 1, dim: 4, dtype: 'fp32', data: new Float32Array(4) }),
      (err) =>
        isRecmeshError(err) &&
        err.kind === 'unavailable' &&
        err.message === 'backend cuda is unavailable: no addon: x',
    );
    const dense = new CudaDenseBackend(device);
    await assert.rejects(
      dense.createSession({} as never, { intraOpThreads: 1 }),
      (err) => isRecmeshError(err) && err.kind === 'unavailable',
    );
  });

  it(
    'embeddingBackendOf and denseBackendOf refuse it, naming the reason',
    { skip: GPU_HERE },
    async () => {
      const container = await loadBackend('cuda', (id) => import(id));
      const expected = `backend cuda is unavailable: ${here.reason}`;
      for (const get of [embeddingBackendOf, denseBackendOf])
        assert.throws(
          () => get(container),
          (err) => isRecmeshError(err) && err.kind === 'unavailable' && err.message === expected,
        );
    },
  );
});

describe('dense engine', () => {
  const withGpu = addonSaying({ devices: [H100] });

  it(
    'dense: onnxruntime without its CUDA provider is unavailable, not a fallback',
    { skip: ortCudaProvider().installed ? 'onnxruntime-node has its CUDA provider here' : false },
    async () => {
      const device = new CudaDevice({ ...DEFAULT_CUDA_OPTIONS, dense: 'onnxruntime' }, withGpu);
      const dense = new CudaDenseBackend(device);
      const report = dense.capabilities();
      assert.equal(report.available, false);
      assert.match(report.reason ?? '', /^dense: onnxruntime was configured, but onnxruntime-node/);
      await assert.rejects(
        dense.createSession({} as never, { intraOpThreads: 1 }),
        (err) => isRecmeshError(err) && err.kind === 'unavailable',
      );
    },
  );

  it('the own kernels need DenseGraph.mlp', async () => {
    const device = new CudaDevice({ ...DEFAULT_CUDA_OPTIONS, dense: 'kernels' }, withGpu);
    const dense = new CudaDenseBackend(device);
    assert.equal(dense.capabilities().kernel, 'cuda-fused-mlp');
    const graph = { onnx: new Uint8Array(), io: { dense: 'd', embeddings: 'e', output: 'o' } };
    await assert.rejects(
      dense.createSession({ ...graph, denseFeatures: 4, tables: 1, dim: 4 }, { intraOpThreads: 1 }),
      (err) =>
        isRecmeshError(err) &&
        err.kind === 'failed_precondition' &&
        /DenseGraph\.mlp/.test(err.message),
    );
  });
});

describe('backend options (RECMESH_BACKEND_CONFIG)', () => {
  const source = 'RECMESH_BACKEND_CONFIG';
  it('defaults, and fields laid over them', () => {
    assert.deepEqual(cudaOptionsFrom(undefined), DEFAULT_CUDA_OPTIONS);
    assert.deepEqual(cudaOptionsFrom({ source, config: '{"lanes": 2, "dense": "kernels"}' }), {
      ...DEFAULT_CUDA_OPTIONS,
      lanes: 2,
      dense: 'kernels',
    });
  });

  it('errors name the variable, the field and the value', () => {
    const cases: [string, RegExp][] = [
      ['{"lanes": 0}', /^RECMESH_BACKEND_CONFIG: lanes = 0: /],
      ['{"dense": "tensorrt"}', /^RECMESH_BACKEND_CONFIG: dense = "tensorrt": /],
      ['{"lane": 2}', /^RECMESH_BACKEND_CONFIG: the cuda options = \{"lane":2\}: .*lane/],
      ['{lanes: 2}', /^RECMESH_BACKEND_CONFIG: not a JSON object: /],
    ];
    for (const [config, message] of cases)
      assert.throws(
        () => cudaOptionsFrom({ source, config }),
        (err) => isRecmeshError(err) && err.kind === 'config' && message.test(err.message),
      );
  });
});

/** Runs a service's launcher with RECMESH_BACKEND=cuda until it exits (or 60 s pass). */
function startWithCuda(service: string): Promise<{ code: number | null; output: string }> {
  const root = dirname(require.resolve(`@recmesh/${service}/package.json`));
  const child = spawn(process.execPath, [join(root, 'bin', `recmesh-${service}.js`)], {
    env: {
      ...process.env,
      RECMESH_BACKEND: 'cuda',
      RECMESH_BACKEND_CONFIG: '',
      RECMESH_MODELS: 'rmc1',
      RECMESH_ROW_SCALE: '0.0001',
      RECMESH_MESH: `cuda-refusal-${process.pid}`,
      RECMESH_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('a service configured with RECMESH_BACKEND=cuda refuses to start', () => {
  for (const service of ['embedding-shard', 'dense-worker']) {
    it(service, { skip: GPU_HERE }, async () => {
      const { code, output } = await startWithCuda(service);
      assert.equal(code, 1, output);
      const fatal = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level?: string; err?: string; msg?: string })
        .find((entry) => entry.level === 'fatal');
      assert.ok(fatal, `no fatal log line in:\n${output}`);
      assert.equal(fatal.msg, 'could not start');
      assert.equal(fatal.err, `backend cuda is unavailable: ${here.reason}`);
    });
  }
});
