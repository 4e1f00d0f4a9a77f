import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { credentials, Metadata } from '@grpc/grpc-js';
import { CarbonServiceClient, type ReportResponse } from '@recmesh/proto';

export interface LedgerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  readonly metricsPort: number;
  /** Every log line so far. */
  readonly log: string[];
}

/**
 * Starts the carbon ledger as its own process and resolves when it logs `ready` (so its log level
 * must let info lines through).
 */
export function startLedger(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<LedgerProcess> {
  const child = spawn(process.execPath, [require.resolve('@recmesh/carbon-ledger/dist/main.js')], {
    env: {
      ...process.env,
      RECMESH_HOST: '127.0.0.1',
      RECMESH_PORT: '0',
      RECMESH_METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ledger not ready in ${timeoutMs} ms: ${log.slice(-5).join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ledger exited (${code}) before it was ready: ${log.slice(-5).join('\n')}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      log.push(line);
      const r = JSON.parse(line) as { msg?: string; address?: string; metricsPort?: number };
      if (r.msg === 'ready' && r.address !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, address: r.address, metricsPort: r.metricsPort ?? 0, log });
      }
    });
  });
}

/** Ends a process and waits for it. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** CarbonService.Report of a ledger. */
export function ledgerReport(address: string, sinceS = 0, windowS = 0): Promise<ReportResponse> {
  const client = new CarbonServiceClient(address, credentials.createInsecure());
  return new Promise<ReportResponse>((resolve, reject) =>
    client.report(
      { sinceS, windowS },
      new Metadata(),
      { deadline: Date.now() + 10_000 },
      (err, res) => (err === null ? resolve(res) : reject(err)),
    ),
  ).finally(() => client.close());
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 20,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
