// Where the contract tests run: the GPU through the addon built with nvcc, and the same kernel
// sources run by the CPU emulator (native/emulation) through an addon built with the C++
// compiler. Each says why it is skipped where it cannot run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CudaDevice,
  DEFAULT_CUDA_OPTIONS,
  loadAddon,
  ortCudaProvider,
  type CudaOptions,
  type DenseEngine,
} from '@recmesh/plugin-cuda';

export interface Target {
  readonly name: string;
  /** A device of this target with these options (the addon opens the GPU once). */
  open(options?: Partial<CudaOptions>): CudaDevice;
  /** false where the target runs, else why not. */
  readonly skip: string | false;
  /** Dense engines to check: the addon's kernels, and onnxruntime's CUDA provider where installed. */
  readonly engines: readonly DenseEngine[];
  readonly emulated: boolean;
}

const PLUGIN = join(__dirname, '..', '..');

export function gpuTarget(): Target {
  const open = (options: Partial<CudaOptions> = {}) =>
    new CudaDevice({ ...DEFAULT_CUDA_OPTIONS, ...options });
  const device = open();
  return {
    name: 'GPU',
    open,
    skip: device.available ? false : `no usable GPU here: ${device.reason}`,
    engines: ortCudaProvider().installed ? ['kernels', 'onnxruntime'] : ['kernels'],
    emulated: false,
  };
}

/** Builds the emulated addon into build/emulation (kept while its sources do not change). */
export function emulatedTarget(): Target {
  const built = spawnSync(
    process.execPath,
    [join(PLUGIN, 'scripts', 'build-native.mjs'), '--emulate'],
    { encoding: 'utf8' },
  );
  const dir = join(PLUGIN, 'build', 'emulation');
  const open = (options: Partial<CudaOptions> = {}) =>
    new CudaDevice({ ...DEFAULT_CUDA_OPTIONS, ...options }, () => loadAddon(dir));
  const device = open();
  const why = device.reason ?? (built.status !== 0 ? built.stderr : undefined);
  return {
    name: 'CPU emulation of the CUDA kernels',
    open,
    skip: why === undefined ? false : `the emulated addon is not usable: ${why}`,
    engines: ['kernels'],
    emulated: true,
  };
}
