import * as ort from 'onnxruntime-node';
import type {
  CapabilityReport,
  DenseBackend,
  DenseGraph,
  DenseSession,
  DenseSessionOptions,
} from '@recmesh/backend';

/** The dense graph on onnxruntime-node's CPU execution provider. */
export class OrtCpuDenseBackend implements DenseBackend {
  readonly name = 'cpu';

  capabilities(): CapabilityReport {
    return {
      backend: this.name,
      available: true,
      kernel: 'onnxruntime-cpu',
      threads: 1,
      details: { executionProvider: 'cpu', onnxruntime: ort.env.versions.common },
    };
  }

  async createSession(graph: DenseGraph, options: DenseSessionOptions): Promise<DenseSession> {
    const session = await ort.InferenceSession.create(graph.onnx, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
    });
    const { io, denseFeatures, tables, dim } = graph;
    return {
      async run(dense, embeddings, batch) {
        const feeds = {
          [io.dense]: new ort.Tensor('float32', dense, [batch, denseFeatures]),
          [io.embeddings]: new ort.Tensor('float32', embeddings, [tables, batch, dim]),
        };
        const result = await session.run(feeds);
        const output = result[io.output];
        if (output === undefined)
          throw new Error(`dense graph produced no output named ${io.output}`);
        return output.data as Float32Array;
      },
      release: () => session.release(),
    };
  }
}
