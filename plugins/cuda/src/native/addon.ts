import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An addon object (a table in device memory, a dense graph's weights); opaque to JavaScript. */
export interface Handle {
  readonly __brand: 'recmesh.cuda.handle';
}

/** 0 fp32, 1 fp16, 2 int8 (Fused8BitRowwise): native/kernels/dtype.h. */
export type DtypeCode = 0 | 1 | 2;
/** 0 none, 1 relu, 2 sigmoid: native/kernels/dense.h. */
export type ActivationCode = 0 | 1 | 2;

export interface DeviceInfo {
  readonly index: number;
  readonly name: string;
  readonly computeCapability: string;
  readonly totalMemory: number;
  readonly multiprocessors: number;
  readonly memoryBusBits: number;
  readonly l2Bytes: number;
}

/** What probe() finds; `unavailable` is empty when a GPU is usable. */
export interface ProbeResult {
  readonly driverLoaded: boolean;
  readonly driverError: string;
  /** CUDA version the driver supports, e.g. "12.4"; empty without a driver. */
  readonly driverVersion: string;
  /** CUDA runtime the addon was built with. */
  readonly runtimeVersion: string;
  /** GPU code the addon carries, e.g. "sm_90+compute_90". */
  readonly archs: string;
  readonly unavailable: string;
  readonly devices: readonly DeviceInfo[];
}

export interface NativeLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: ActivationCode;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export interface NativeDenseSpec {
  readonly denseFeatures: number;
  readonly tables: number;
  readonly dim: number;
  /** 0 cat, 1 dot. */
  readonly interaction: 0 | 1;
  readonly bottom: readonly NativeLayer[];
  readonly top: readonly NativeLayer[];
}

/** The N-API surface of build/Release/recmesh_cuda.node (native/addon/addon.cc). */
export interface CudaAddon {
  probe(): ProbeResult;
  open(device: number, lanes: number): void;
  close(): void;
  memoryInfo(): { free: number; total: number };
  loadTable(
    data: Float32Array | Uint16Array | Uint8Array,
    rows: number,
    dim: number,
    dtype: DtypeCode,
  ): Handle;
  freeTable(table: Handle): void;
  gatherReduce(
    table: Handle,
    indices: Int32Array,
    offsets: Int32Array,
    weights: Float32Array | null,
    mean: boolean,
    out: Float32Array,
    parts: number,
  ): Promise<void>;
  createDense(spec: NativeDenseSpec): Handle;
  freeDense(model: Handle): void;
  runDense(
    model: Handle,
    dense: Float32Array,
    embeddings: Float32Array,
    batch: number,
    out: Float32Array,
  ): Promise<void>;
}

/** What scripts/build-native.mjs recorded in build/native-build.json. */
export interface BuildStatus {
  readonly built: boolean;
  readonly reason?: string;
  readonly cudaVersion?: string;
  readonly archs?: string;
}

export type AddonLoad =
  | {
      readonly ok: true;
      readonly addon: CudaAddon;
      readonly path: string;
      readonly build?: BuildStatus;
    }
  | { readonly ok: false; readonly reason: string; readonly build?: BuildStatus };

function readBuildStatus(path: string): BuildStatus | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildStatus;
  } catch {
    return undefined;
  }
}

/**
 * Loads the addon from `buildDir` (the package's build/), or says why not, starting with
 * "no addon:": not built at install (and why), missing, or not loadable.
 */
export function loadAddon(buildDir = join(__dirname, '..', '..', 'build')): AddonLoad {
  const path = join(buildDir, 'Release', 'recmesh_cuda.node');
  const build = readBuildStatus(join(buildDir, 'native-build.json'));
  if (!existsSync(path)) {
    const reason =
      build?.built === false
        ? `no addon: the CUDA addon was not built at install: ${build.reason ?? 'no reason recorded'}`
        : `no addon: ${path} is missing; run \`npm rebuild @recmesh/plugin-cuda\` where nvcc is installed`;
    return { ok: false, reason, ...(build === undefined ? {} : { build }) };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(path) as CudaAddon;
    return { ok: true, addon, path, ...(build === undefined ? {} : { build }) };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? String(err);
    return { ok: false, reason: `no addon: ${path} did not load (${message})` };
  }
}
