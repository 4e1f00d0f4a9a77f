// Configuration: defaults, partial overrides, and errors that name the variable, the field
// and the value, from the JSON text or file a service passes down to the plugin.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { denseBackendOf, embeddingBackendOf, loadBackend } from '@recmesh/backend';
import { isRecmeshError } from '@recmesh/errors';
import {
  configFromOptions,
  DEFAULT_NMP_CONFIG,
  NmpEmbeddingBackend,
  parseNmpConfig,
} from '@recmesh/plugin-nmp';

const SOURCE = 'RECMESH_BACKEND_CONFIG';

function configError(fn: () => unknown, field: string, inMessage: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isRecmeshError(err), String(err));
    assert.equal(err.kind, 'config');
    assert.equal(err.field, field);
    for (const part of inMessage)
      assert.ok(err.message.includes(part), `${err.message} lacks ${part}`);
    return true;
  });
}

describe('nmp configuration', () => {
  it('no configuration: the documented defaults (one DDR4-2400 channel, 4 DIMMs x 2 ranks)', () => {
    const c = configFromOptions(undefined);
    assert.deepEqual(c, DEFAULT_NMP_CONFIG);
    assert.equal(c.topology.channels * c.topology.dimmsPerChannel * c.topology.ranksPerDimm, 8);
    assert.equal(c.dram.tCKns, 0.833);
    assert.equal(c.paced, false);
  });

  it('a partial override keeps every other default', () => {
    const c = configFromOptions({ source: SOURCE, config: '{"paced":true,"cache":{"kib":64}}' });
    assert.equal(c.paced, true);
    assert.equal(c.cache.kib, 64);
    assert.equal(c.cache.policy, DEFAULT_NMP_CONFIG.cache.policy);
    assert.deepEqual(c.dram, DEFAULT_NMP_CONFIG.dram);
  });

  it('reads @file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmp-config-'));
    const file = join(dir, 'hw.json');
    writeFileSync(file, JSON.stringify({ topology: { channels: 2 } }));
    assert.equal(configFromOptions({ source: SOURCE, config: `@${file}` }).topology.channels, 2);
  });

  it('an out-of-range value names the variable, the field and the value', () => {
    configError(
      () => configFromOptions({ source: SOURCE, config: '{"dram":{"tRCD":-3}}' }),
      `${SOURCE}.dram.tRCD`,
      [SOURCE, 'dram.tRCD', '-3'],
    );
  });

  it('a wrong type is named', () => {
    configError(
      () => configFromOptions({ source: SOURCE, config: '{"paced":"yes"}' }),
      `${SOURCE}.paced`,
      ['paced', '"yes"'],
    );
    configError(
      () => configFromOptions({ source: SOURCE, config: '{"cache":{"policy":"lfu"}}' }),
      `${SOURCE}.cache.policy`,
      ['cache.policy', '"lfu"'],
    );
  });

  it('an unknown field is named, at the top and inside a section', () => {
    configError(
      () => configFromOptions({ source: SOURCE, config: '{"rankz":8}' }),
      `${SOURCE}.rankz`,
      ['rankz', 'unknown field'],
    );
    configError(
      () => configFromOptions({ source: SOURCE, config: '{"dram":{"tRDC":16}}' }),
      `${SOURCE}.dram.tRDC`,
      ['dram.tRDC', 'unknown field'],
    );
  });

  it('fields that contradict each other are named', () => {
    configError(() => parseNmpConfig({ dram: { tRAS: 10 } }, SOURCE), `${SOURCE}.dram.tRAS`, [
      'tRCD',
    ]);
    configError(() => parseNmpConfig({ dram: { tCCD_L: 3 } }, SOURCE), `${SOURCE}.dram.tCCD_L`, [
      'tCCD_S',
    ]);
  });

  it('text that is not JSON, or a file that is missing, names the variable', () => {
    configError(() => configFromOptions({ source: SOURCE, config: '{paced: true}' }), SOURCE, [
      'not valid JSON',
    ]);
    configError(
      () => configFromOptions({ source: SOURCE, config: '@/nonexistent/hw.json' }),
      SOURCE,
      ['cannot read', '/nonexistent/hw.json'],
    );
  });

  it('loadBackend hands the service variable to the plugin, whose errors name it', async () => {
    const container = await loadBackend('nmp', (id) => import(id), {
      source: SOURCE,
      config: '{"cache":{"kib":-1}}',
    });
    configError(() => embeddingBackendOf(container), `${SOURCE}.cache.kib`, ['-1']);
  });

  it('loadBackend without options gives the default nmp backend and the host CPU dense backend', async () => {
    const container = await loadBackend('nmp', (id) => import(id));
    const backend = embeddingBackendOf(container);
    assert.ok(backend instanceof NmpEmbeddingBackend);
    assert.deepEqual(backend.config, DEFAULT_NMP_CONFIG);
    const report = backend.capabilities();
    assert.equal(report.backend, 'nmp');
    assert.ok(report.kernel.startsWith('recnmp-model+'));
    // RecNMP speeds up the embeddings; the MLPs stay on the host CPU.
    assert.equal(denseBackendOf(container).name, 'cpu');
  });
});
