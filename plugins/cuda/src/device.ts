import type { CapabilityReport } from '@recmesh/backend';
import { unavailable } from '@recmesh/errors';
import { loadAddon, type AddonLoad, type CudaAddon, type DeviceInfo } from './native/addon';
import type { CudaOptions } from './options';

type Opened =
  | { readonly ok: true; readonly addon: CudaAddon; readonly gpu: DeviceInfo }
  | { readonly ok: false; readonly reason: string };

/**
 * The GPU both backends of the module share: the addon loaded, the driver and device probed and
 * the lanes opened, once. Where any step fails the device is unavailable and `reason` says which
 * ("no addon: ...", "no driver: ...", "driver too old: ...", "no device: ...", "CUDA error: ...").
 */
export class CudaDevice {
  private readonly opened: Opened;
  private readonly facts: Record<string, unknown>;

  constructor(
    readonly options: CudaOptions,
    load: () => AddonLoad = () => loadAddon(),
  ) {
    const loaded = load();
    this.facts = { lanes: options.lanes, partLookups: options.partLookups };
    if (!loaded.ok) {
      this.opened = { ok: false, reason: loaded.reason };
      if (loaded.build !== undefined) this.facts.addonBuild = loaded.build;
      return;
    }
    const probe = loaded.addon.probe();
    Object.assign(this.facts, {
      addon: loaded.path,
      addonArchs: probe.archs,
      cudaRuntime: probe.runtimeVersion,
      cudaDriver: probe.driverVersion,
      devices: probe.devices.map((d) => `${d.index}: ${d.name} (sm ${d.computeCapability})`),
    });
    const gpu = probe.devices[options.device];
    if (probe.unavailable !== '') {
      this.opened = { ok: false, reason: probe.unavailable };
    } else if (gpu === undefined) {
      this.opened = {
        ok: false,
        reason: `no device: device ${options.device} was configured, the driver sees ${probe.devices.length}`,
      };
    } else {
      try {
        loaded.addon.open(options.device, options.lanes);
        this.opened = { ok: true, addon: loaded.addon, gpu };
        Object.assign(this.facts, {
          gpu: gpu.name,
          computeCapability: gpu.computeCapability,
          gpuMemoryBytes: gpu.totalMemory,
          multiprocessors: gpu.multiprocessors,
        });
      } catch (err) {
        this.opened = {
          ok: false,
          reason: `CUDA error: opening device ${options.device} failed: ${(err as Error).message}`,
        };
      }
    }
  }

  get available(): boolean {
    return this.opened.ok;
  }

  get reason(): string | undefined {
    return this.opened.ok ? undefined : this.opened.reason;
  }

  /** The addon, or an `unavailable` error naming why there is none. */
  require(): CudaAddon {
    if (!this.opened.ok) throw unavailable(`backend cuda is unavailable: ${this.opened.reason}`);
    return this.opened.addon;
  }

  /** A capability report of one of the module's backends. */
  report(backend: string, kernel: string, details: Record<string, unknown> = {}): CapabilityReport {
    const memory = this.opened.ok ? this.opened.addon.memoryInfo() : undefined;
    return {
      backend,
      available: this.opened.ok,
      ...(this.opened.ok ? {} : { reason: this.opened.reason }),
      kernel: this.opened.ok ? kernel : 'none',
      threads: this.options.lanes,
      details: {
        ...this.facts,
        ...(memory === undefined ? {} : { gpuMemoryFreeBytes: memory.free }),
        ...details,
      },
    };
  }
}
