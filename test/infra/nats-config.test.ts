// The NATS configuration the manifests carry, checked by nats-server itself (-t: test the
// configuration and exit), with the route Secret of the dev overlay in place.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { render, whyNoKubectl } from './support/repo';

function whyNot(): string | undefined {
  const nats = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (nats.error !== undefined || nats.status !== 0)
    return 'nats-server is not on PATH (apt-get install nats-server)';
  return whyNoKubectl();
}
const skip = whyNot();
if (skip !== undefined) console.log(`NATS configuration check skipped: ${skip}`);

describe('NATS configuration (overlays/dev)', { skip }, () => {
  it('is valid for nats-server, routes to the three servers, and authenticates them', () => {
    const objects = skip === undefined ? render('overlays/dev') : [];
    const conf = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('nats-config'),
    );
    const secret = objects.find(
      (o) => o.kind === 'Secret' && o.metadata.name.startsWith('nats-cluster-auth'),
    );
    const cluster = Buffer.from(secret?.data?.['cluster.conf'] ?? '', 'base64').toString();
    assert.match(cluster, /authorization \{/);
    for (const n of [0, 1, 2]) assert.match(cluster, new RegExp(`@nats-${n}\\.nats-headless:6222`));

    // As mounted in the pod: /etc/nats/nats.conf and /etc/nats/auth/cluster.conf.
    const dir = mkdtempSync(join(tmpdir(), 'recmesh-nats-conf-'));
    try {
      mkdirSync(join(dir, 'auth'));
      writeFileSync(join(dir, 'nats.conf'), conf?.data?.['nats.conf'] ?? '');
      writeFileSync(join(dir, 'auth/cluster.conf'), cluster);
      const r = spawnSync('nats-server', ['-c', join(dir, 'nats.conf'), '-t'], {
        env: { ...process.env, POD_NAME: 'nats-0' },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /is valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
