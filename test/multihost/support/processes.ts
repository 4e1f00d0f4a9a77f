import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

/**
 * Runs `command` inside namespace `ns` (ip netns exec replaces itself with the command, so the
 * child's pid is the command's) and resolves once a line of its output satisfies `ready`.
 * Output goes to `<logDir>/<name>.log`; every line is also passed to `onLine`.
 */
export function startIn(
  ns: string,
  name: string,
  command: readonly string[],
  env: NodeJS.ProcessEnv,
  logDir: string,
  ready: (line: string) => boolean,
  timeoutMs: number,
  onLine?: (line: string) => void,
  stdin: 'ignore' | 'pipe' = 'ignore',
): Promise<Started> {
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn('ip', ['netns', 'exec', ns, ...command], {
    env,
    stdio: [stdin, 'pipe', 'pipe'],
  });
  return new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${timeoutMs} ms; see ${logFile}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}) before it was ready; see ${logFile}`));
    };
    child.once('exit', onExit);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => {
        log.write(`${line}\n`);
        onLine?.(line);
        if (ready(line)) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve({ name, child, logFile });
        }
      });
    }
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A JSON log line's `msg` (pino), or undefined. */
export function logMessage(line: string): { msg?: string; address?: string } | undefined {
  try {
    return JSON.parse(line) as { msg?: string; address?: string };
  } catch {
    return undefined;
  }
}
