import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonSpec, describeConfig, env, loadConfig, z } from '../src/index';

describe('configuration from the environment', () => {
  it('applies defaults and coerces numbers', () => {
    const c = loadConfig(commonSpec, { RECMESH_PORT: '5000' });
    assert.equal(c.port, 5000);
    assert.equal(c.natsUrl, 'nats://127.0.0.1:4222');
    assert.equal(c.mesh, 'default');
    assert.equal(c.advertiseHost, undefined);
  });

  it('names the variable, the value and the expectation when a value is bad', () => {
    assert.throws(
      () => loadConfig(commonSpec, { RECMESH_PORT: 'http' }),
      (err: Error & { kind?: string; field?: string }) =>
        err.kind === 'config' &&
        err.field === 'RECMESH_PORT' &&
        /RECMESH_PORT = "http"/.test(err.message),
    );
    assert.throws(
      () => loadConfig(commonSpec, { RECMESH_PORT: '70000' }),
      /RECMESH_PORT = "70000"/,
    );
    assert.throws(
      () => loadConfig(commonSpec, { RECMESH_MESH: 'a.b' }),
      /RECMESH_MESH = "a.b": letters, digits/,
    );
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ x: env('X', z.string().default('d'), 'doc') }, { X: '' }).x, 'd');
  });

  it('describes every variable with its default', () => {
    const rows = describeConfig(commonSpec);
    const port = rows.find((r) => r.name === 'RECMESH_PORT');
    assert.deepEqual(port?.default, 0);
    assert.ok(rows.every((r) => r.doc.length > 0));
  });
});
