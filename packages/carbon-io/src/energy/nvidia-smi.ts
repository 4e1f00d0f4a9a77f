import { execFile } from 'node:child_process';
import { parseNvidiaSmiPower } from '@recmesh/carbon';

/**
 * Power draw per GPU, W, through `nvidia-smi` (NVML's command-line face; recmesh carries no
 * native NVML binding). Rejects when nvidia-smi is missing or fails, with its message.
 */
export function nvidiaSmiPower(
  command = 'nvidia-smi',
  timeoutMs = 2000,
): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      ['--query-gpu=index,power.draw', '--format=csv,noheader,nounits'],
      { timeout: timeoutMs },
      (err, stdout) => {
        if (err !== null) reject(new Error(`${command}: ${err.message}`));
        else {
          try {
            resolve(parseNvidiaSmiPower(stdout));
          } catch (parseErr) {
            reject(parseErr as Error);
          }
        }
      },
    );
  });
}
