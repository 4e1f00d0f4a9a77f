// The images' HEALTHCHECK script against a real recmesh gRPC server: healthy only while the
// server reports SERVING on grpc.health.v1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startRpcServer } from '@recmesh/rpc';
import { createLogger } from '@recmesh/telemetry';
import { INFRA } from './support/repo';

const script = join(INFRA, 'docker/healthcheck.cjs');
/** Runs the script as HEALTHCHECK would (asynchronously: the server lives in this process). */
const check = (port: number | string) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [script],
      { env: { ...process.env, RECMESH_PORT: String(port) } },
      (err, stdout, stderr) =>
        resolve({ status: err === null ? 0 : Number(err.code), stdout, stderr }),
    );
  });

describe('infra/docker/healthcheck.cjs', () => {
  const logger = createLogger({ service: 'test', instance: 'healthcheck', level: 'silent' });
  const server = startRpcServer({ host: '127.0.0.1', port: 0, services: [], logger });
  after(async () => (await server).shutdown(100));

  it('is unhealthy while the server is not serving yet, healthy once it is', async () => {
    const s = await server;
    const starting = await check(s.port);
    assert.equal(starting.status, 1, starting.stdout + starting.stderr);
    assert.match(starting.stdout, /NOT_SERVING/);
    s.setServing(true);
    const serving = await check(s.port);
    assert.equal(serving.status, 0, serving.stdout + serving.stderr);
    assert.match(serving.stdout, /SERVING/);
    s.setServing(false);
    assert.equal((await check(s.port)).status, 1, 'draining');
  });

  it('is unhealthy with no server, and refuses a port it cannot check', async () => {
    const s = await server;
    await s.shutdown(100);
    assert.equal((await check(s.port)).status, 1);
    const zero = await check(0);
    assert.equal(zero.status, 1);
    assert.match(zero.stderr, /RECMESH_PORT must be a fixed port/);
  });
});
