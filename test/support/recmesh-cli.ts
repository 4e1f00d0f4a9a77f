import { execFile } from 'node:child_process';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The last line of stdout, parsed (commands with --json print one JSON object there). */
  json<T = Record<string, unknown>>(): T;
}

/** Runs the `recmesh` command (the built CLI) with `args`. */
export function recmesh(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [require.resolve('@recmesh/cli/bin/recmesh.js'), ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1,
          stdout,
          stderr,
          json: <T>() => JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as T,
        }),
    );
  });
}
