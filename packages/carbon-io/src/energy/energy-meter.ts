import { processShareJ } from '@recmesh/carbon';
import { RecmeshError } from '@recmesh/errors';
import { machineBusyCpuS, processCpuS } from './cpu-time';
import { nvidiaSmiPower } from './nvidia-smi';
import { POWERCAP_ROOT, RaplReader } from './rapl-reader';

/** Measures the energy this process causes, window by window. */
export interface EnergyMeter {
  /** 'measured' when the meter reads hardware; 'modelled' when the ledger models the energy. */
  readonly method: 'measured' | 'modelled';
  /** What it reads, or why it fell back to the model. */
  readonly description: string;
  /**
   * IT energy of this process since the previous call, J (no PUE); undefined when this window
   * cannot be measured (the model then applies, and the event says so).
   */
  sample(): Promise<number | undefined>;
  /** The last reading error, if any. */
  readonly lastError: string | undefined;
}

export type EnergyMode = 'auto' | 'rapl' | 'nvidia-smi' | 'model';

export interface EnergyMeterOptions {
  readonly mode: EnergyMode;
  /** The service's backend: 'cuda' services are metered on their GPU, others on RAPL. */
  readonly backend: string;
  readonly raplRoot?: string;
  readonly procStat?: string;
  readonly nvidiaSmi?: string;
  /** GPU indices the process uses (all when empty). */
  readonly gpus?: readonly number[];
}

const modelled = (description: string): EnergyMeter => ({
  method: 'modelled',
  description,
  lastError: undefined,
  sample: () => Promise.resolve(undefined),
});

/**
 * RAPL, attributed to this process by CPU time: the window's package + DRAM energy x this
 * process's CPU seconds / all CPU seconds spent busy on the machine (processShareJ).
 */
class RaplMeter implements EnergyMeter {
  readonly method = 'measured';
  lastError: string | undefined;
  private cpu = processCpuS();
  private busy: number;

  constructor(
    private readonly rapl: RaplReader,
    private readonly procStat: string,
  ) {
    this.busy = machineBusyCpuS(procStat);
  }

  get description(): string {
    return `RAPL ${this.rapl.domainNames.join('+')}, this process's share by CPU time`;
  }

  sample(): Promise<number | undefined> {
    try {
      const joules = this.rapl.readJ();
      const cpu = processCpuS();
      const busy = machineBusyCpuS(this.procStat);
      const share = processShareJ(joules, cpu - this.cpu, busy - this.busy);
      this.cpu = cpu;
      this.busy = busy;
      this.lastError = undefined;
      return Promise.resolve(share);
    } catch (err) {
      this.lastError = (err as Error).message;
      return Promise.resolve(undefined);
    }
  }
}

/**
 * GPU power from nvidia-smi, integrated by the trapezoid rule between samples. The whole
 * device's energy goes to this process: recmesh runs one dense worker per GPU.
 */
class GpuMeter implements EnergyMeter {
  readonly method = 'measured';
  lastError: string | undefined;

  constructor(
    private readonly command: string,
    private readonly gpus: readonly number[],
    private lastW: number,
    private lastAt: number,
  ) {}

  get description(): string {
    return `nvidia-smi power.draw of GPU ${this.gpus.length === 0 ? 'all' : this.gpus.join(',')}`;
  }

  static async watts(command: string, gpus: readonly number[]): Promise<number> {
    const power = await nvidiaSmiPower(command);
    let w = 0;
    for (const [index, watts] of power) if (gpus.length === 0 || gpus.includes(index)) w += watts;
    return w;
  }

  async sample(): Promise<number | undefined> {
    try {
      const w = await GpuMeter.watts(this.command, this.gpus);
      const now = performance.now();
      const joules = ((this.lastW + w) / 2) * ((now - this.lastAt) / 1000);
      this.lastW = w;
      this.lastAt = now;
      this.lastError = undefined;
      return joules;
    } catch (err) {
      this.lastError = (err as Error).message;
      return undefined;
    }
  }
}

/**
 * The best meter this machine allows: for 'auto', a GPU service reads nvidia-smi and any other
 * reads RAPL, each falling back to the model (with the reason in the description) when the
 * hardware or the permission is missing. An explicit mode that cannot be met is an error.
 */
export async function createEnergyMeter(options: EnergyMeterOptions): Promise<EnergyMeter> {
  const { mode } = options;
  if (mode === 'model')
    return modelled('modelled from the hardware profile (RECMESH_ENERGY=model)');
  const gpu = mode === 'nvidia-smi' || (mode === 'auto' && options.backend === 'cuda');
  if (gpu) {
    const command = options.nvidiaSmi ?? 'nvidia-smi';
    const gpus = options.gpus ?? [];
    try {
      const w = await GpuMeter.watts(command, gpus);
      return new GpuMeter(command, gpus, w, performance.now());
    } catch (err) {
      if (mode !== 'auto')
        throw new RecmeshError('config', `RECMESH_ENERGY=nvidia-smi: ${(err as Error).message}`);
      return modelled(`modelled: no GPU power reading (${(err as Error).message})`);
    }
  }
  const rapl = new RaplReader(options.raplRoot ?? POWERCAP_ROOT);
  if (rapl.available) {
    try {
      return new RaplMeter(rapl, options.procStat ?? '/proc/stat');
    } catch (err) {
      if (mode !== 'auto')
        throw new RecmeshError('config', `RECMESH_ENERGY=rapl: ${(err as Error).message}`);
      return modelled(`modelled: /proc/stat unreadable (${(err as Error).message})`);
    }
  }
  const why = rapl.problems.join('; ') || 'no package domain';
  if (mode !== 'auto')
    throw new RecmeshError('config', `RECMESH_ENERGY=rapl: RAPL is not readable: ${why}`);
  return modelled(`modelled: RAPL not readable (${why})`);
}
