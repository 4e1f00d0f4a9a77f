import { invalidArgument } from '@recmesh/errors';

/**
 * Energy between two readings of a RAPL counter (`energy_uj`), µJ. The counter wraps to 0 after
 * `max_energy_range_uj`; between two readings it may wrap at most once if they are closer than
 * a wrap period (about 60 s at 1 kW for a 2^32 µJ range; recmesh reads every second).
 */
export function counterDeltaUj(previous: number, next: number, maxRangeUj: number): number {
  for (const [field, v] of [
    ['energy_uj (previous)', previous],
    ['energy_uj', next],
    ['max_energy_range_uj', maxRangeUj],
  ] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw invalidArgument(field, v, 'must be a number >= 0');
  }
  if (next >= previous) return next - previous;
  if (previous > maxRangeUj)
    throw invalidArgument(
      'energy_uj (previous)',
      previous,
      `above max_energy_range_uj ${maxRangeUj}`,
    );
  return maxRangeUj - previous + next;
}

/**
 * The share of a RAPL domain's energy that one process caused, J. RAPL measures the whole
 * package (and its DRAM), every process together; recmesh divides a window's energy among
 * processes in proportion to CPU time (Scaphandre's and Kepler's rule): this process's CPU
 * seconds over the CPU seconds that all processes spent busy in the same window (/proc/stat).
 * The idle floor of the package is thus carried by whoever ran in the window.
 */
export function processShareJ(
  domainJ: number,
  processCpuS: number,
  machineBusyCpuS: number,
): number {
  if (!(machineBusyCpuS > 0) || !(processCpuS > 0)) return 0;
  return domainJ * Math.min(1, processCpuS / machineBusyCpuS);
}

/** CPU time from the first `cpu` line of /proc/stat, in clock ticks (USER_HZ). */
export interface CpuTicks {
  readonly busy: number;
  readonly total: number;
}

/** Parses /proc/stat's aggregate `cpu` line: busy = all but idle and iowait. */
export function parseProcStat(text: string): CpuTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  const fields = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n)))
    throw invalidArgument('/proc/stat cpu', line ?? null, 'not a cpu line of /proc/stat');
  // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Watts per GPU from `nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits`. */
export function parseNvidiaSmiPower(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [index, watts] = line.split(',').map((c) => c.trim());
    const w = Number(watts);
    if (!Number.isInteger(Number(index)) || !Number.isFinite(w) || w < 0)
      throw invalidArgument('nvidia-smi power.draw', line, 'expected "index, watts"');
    out.set(Number(index), w);
  }
  return out;
}
