import { readFileSync } from 'node:fs';
import { parseProcStat } from '@recmesh/carbon';

/**
 * Clock ticks per second of /proc/stat (USER_HZ): 100 on every mainstream Linux architecture;
 * the kernel keeps it fixed for user space whatever its internal HZ.
 */
export const USER_HZ = 100;

/** CPU seconds spent busy by all processes of the machine (/proc/stat), for deltas. */
export function machineBusyCpuS(procStat = '/proc/stat'): number {
  return parseProcStat(readFileSync(procStat, 'utf8')).busy / USER_HZ;
}

/** CPU seconds (user + system) of this process so far. */
export function processCpuS(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
