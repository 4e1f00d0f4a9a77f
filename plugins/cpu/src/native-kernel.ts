import { join } from 'node:path';

/** The N-API addon's surface (native/addon.cc). */
export interface NativeAddon {
  /** 'avx2' or 'generic': the kernel variant this CPU runs. */
  readonly isa: string;
  gatherReduce(
    table: Float32Array | Uint16Array | Uint8Array,
    rows: number,
    dim: number,
    dtype: number,
    indices: Int32Array,
    offsets: Int32Array,
    weights: Float32Array | null,
    mean: boolean,
    out: Float32Array,
    parts: number,
    isa: 'auto' | 'generic',
  ): Promise<void>;
  allocate(bytes: number): ArrayBuffer;
}

export type NativeLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly reason: string };

let loaded: NativeLoad | undefined;

/** Loads build/Release/recmesh_cpu.node once; says why not where it cannot. */
export function loadNativeKernel(): NativeLoad {
  if (loaded !== undefined) return loaded;
  const path = join(__dirname, '..', 'build', 'Release', 'recmesh_cpu.node');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(path) as NativeAddon;
    loaded = { ok: true, addon, path };
  } catch (err) {
    loaded = {
      ok: false,
      reason: `native addon ${path} did not load (${(err as Error).message.split('\n')[0]}); see build/native-build.log of @recmesh/plugin-cpu`,
    };
  }
  return loaded;
}
