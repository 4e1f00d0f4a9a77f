import type {
  CapabilityReport,
  DenseBackend,
  DenseGraph,
  DenseSession,
  DenseSessionOptions,
} from '@recmesh/backend';
import { unavailable } from '@recmesh/errors';
import type { CudaDevice } from './device';
import { createKernelSession } from './dense/kernel-session';
import { createOrtCudaSession, ortCudaProvider, type OrtCudaProvider } from './dense/ort-cuda';

/**
 * The dense graph on the GPU: onnxruntime's CUDA execution provider where it is installed and
 * loads, otherwise (or when configured so) the addon's fused kernels. Never the CPU: a graph that
 * cannot run on the GPU is an error, not a silent fallback.
 */
export class CudaDenseBackend implements DenseBackend {
  readonly name = 'cuda';
  private readonly ort: OrtCudaProvider;
  private readonly sessions = { onnxruntime: 0, kernels: 0 };
  private onnxruntimeError: string | undefined;

  constructor(private readonly device: CudaDevice) {
    this.ort =
      device.options.dense === 'kernels'
        ? { installed: false, reason: 'not used (dense: kernels)' }
        : ortCudaProvider();
  }

  capabilities(): CapabilityReport {
    const { dense } = this.device.options;
    const details = {
      dense,
      onnxruntimeCuda: this.ort.installed ? this.ort.library : this.ort.reason,
      sessions: { ...this.sessions },
      ...(this.onnxruntimeError === undefined
        ? {}
        : { onnxruntimeCudaError: this.onnxruntimeError }),
    };
    if (dense === 'onnxruntime' && !this.ort.installed && this.device.available) {
      return {
        ...this.device.report(this.name, 'none', details),
        available: false,
        reason: `dense: onnxruntime was configured, but ${this.ort.reason}`,
      };
    }
    const kernel =
      this.ort.installed && this.onnxruntimeError === undefined
        ? 'onnxruntime-cuda'
        : 'cuda-fused-mlp';
    return this.device.report(this.name, kernel, details);
  }

  async createSession(graph: DenseGraph, options: DenseSessionOptions): Promise<DenseSession> {
    const addon = this.device.require();
    const { dense, device } = this.device.options;
    if (dense !== 'kernels' && this.ort.installed) {
      try {
        const session = await createOrtCudaSession(graph, options, device);
        this.sessions.onnxruntime++;
        return session;
      } catch (err) {
        // auto goes on to the kernels, still on the GPU; the report keeps the provider's error.
        this.onnxruntimeError = (err as Error).message;
        if (dense === 'onnxruntime')
          throw unavailable(
            `onnxruntime's CUDA provider did not load: ${this.onnxruntimeError}`,
            err,
          );
      }
    } else if (dense === 'onnxruntime' && !this.ort.installed) {
      throw unavailable(`dense: onnxruntime was configured, but ${this.ort.reason}`);
    }
    const session = createKernelSession(addon, graph);
    this.sessions.kernels++;
    return session;
  }
}
