import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecmeshError } from '@recmesh/errors';

/** Whether something accepts TCP connections at the first server of a NATS URL. */
export function natsAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const first = url.split(',')[0]?.trim() ?? url;
  const parsed = new URL(first.includes('://') ? first : `nats://${first}`);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: parsed.hostname, port: Number(parsed.port || 4222) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface StartedNats {
  readonly url: string;
  readonly child: ChildProcess | undefined;
}

const INSTALL_HINT =
  'install one: `apt-get install nats-server` (Debian/Ubuntu), `brew install nats-server` (macOS), ' +
  'or a release binary from https://github.com/nats-io/nats-server/releases; or point NATS_URL at a running server';

/**
 * Uses the NATS server at `url` if one answers; otherwise starts `nats-server` (JetStream on,
 * store in a temporary folder) as a child process on that URL's port.
 */
export async function ensureNats(url: string, log: (line: string) => void): Promise<StartedNats> {
  if (await natsAnswers(url)) return { url, child: undefined };
  const which = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (which.error !== undefined || which.status !== 0) {
    throw new RecmeshError(
      'unavailable',
      `no NATS server answers at ${url} and nats-server is not on PATH: ${INSTALL_HINT}`,
    );
  }
  const parsed = new URL(url.split(',')[0]?.trim() ?? url);
  const port = Number(parsed.port || 4222);
  const store = mkdtempSync(join(tmpdir(), 'recmesh-nats-'));
  log(
    `starting nats-server (${which.stdout.trim()}) on ${parsed.hostname}:${port}, JetStream store ${store}`,
  );
  const child = spawn(
    'nats-server',
    ['-a', parsed.hostname, '-p', String(port), '-js', '-sd', store],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null)
      throw new RecmeshError(
        'unavailable',
        `nats-server exited with code ${child.exitCode} (is port ${port} taken?)`,
      );
    if (await natsAnswers(url, 200)) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RecmeshError('unavailable', `nats-server did not answer at ${url} within 5 s`);
}
