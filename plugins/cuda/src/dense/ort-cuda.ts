import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DenseGraph, DenseSession, DenseSessionOptions } from '@recmesh/backend';

export type OrtCudaProvider =
  | { readonly installed: true; readonly library: string }
  | { readonly installed: false; readonly reason: string };

const PROVIDER_LIBRARY: Readonly<Record<string, string>> = {
  linux: 'libonnxruntime_providers_cuda.so',
  win32: 'onnxruntime_providers_cuda.dll',
};

/**
 * Whether onnxruntime-node has its CUDA execution provider: the library its install step fetches
 * only with --onnxruntime-node-install=cuda12 (this repository's .npmrc skips it).
 */
export function ortCudaProvider(): OrtCudaProvider {
  let root: string;
  try {
    root = dirname(require.resolve('onnxruntime-node/package.json'));
  } catch {
    return { installed: false, reason: 'onnxruntime-node is not installed' };
  }
  const name = PROVIDER_LIBRARY[process.platform];
  if (name === undefined || process.arch !== 'x64')
    return {
      installed: false,
      reason: `onnxruntime-node has no CUDA provider for ${process.platform}/${process.arch}`,
    };
  const library = join(root, 'bin', 'napi-v6', process.platform, process.arch, name);
  return existsSync(library)
    ? { installed: true, library }
    : {
        installed: false,
        reason:
          'onnxruntime-node was installed without its CUDA provider (install flag --onnxruntime-node-install=cuda12)',
      };
}

/**
 * The ONNX graph on onnxruntime's CUDA execution provider. Rejects when the provider does not
 * load (its CUDA 12 and cuDNN libraries missing, say); onnxruntime then names what is missing.
 */
export async function createOrtCudaSession(
  graph: DenseGraph,
  options: DenseSessionOptions,
  device: number,
): Promise<DenseSession> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(graph.onnx, {
    executionProviders: [{ name: 'cuda', deviceId: device }],
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const { io, denseFeatures, tables, dim } = graph;
  return {
    async run(dense, embeddings, batch) {
      const result = await session.run({
        [io.dense]: new ort.Tensor('float32', dense, [batch, denseFeatures]),
        [io.embeddings]: new ort.Tensor('float32', embeddings, [tables, batch, dim]),
      });
      const output = result[io.output];
      if (output === undefined)
        throw new Error(`dense graph produced no output named ${io.output}`);
      return output.data as Float32Array;
    },
    release: () => session.release(),
  };
}
