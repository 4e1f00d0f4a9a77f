// The carbon commands as a user runs them: the embodied carbon of ACT's R740 bill of materials,
// and the ledger's report after traffic, found over NATS, as JSON and as CSV.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveModel } from '@recmesh/models';
import { Rng, syntheticQuery } from '@recmesh/workload';
import { NATS_URL, startTestMesh, type TestMesh } from '../support/local-mesh';
import { ledgerReport, until } from '../support/ledger-process';
import { recmesh } from '../support/recmesh-cli';

const R740 = join(
  dirname(require.resolve('@recmesh/carbon/package.json')),
  'test/fixtures/dellr740.yaml',
);

describe('recmesh carbon embodied', () => {
  it("ACT's Dell R740: 1523.14 kg CO2e, per part and in total, as the last line's JSON", async () => {
    const r = await recmesh(['carbon', 'embodied', '--bom', R740, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json<{ total_kg: number; parts: { name: string; total_kg: number }[] }>();
    assert.ok(Math.abs(j.total_kg - 1523.14) / 1523.14 < 0.005);
    assert.equal(j.parts.length, 24);
    assert.ok(Math.abs(j.parts.reduce((s, p) => s + p.total_kg, 0) - j.total_kg) < 1e-9);
  });
  it('a bad part is an error naming the file, the field and the value', async () => {
    const bom = join(mkdtempSync(join(tmpdir(), 'bom-')), 'bad.yaml');
    writeFileSync(bom, 'silicon:\n  cpu:\n    area: 100 mm2\n    process: 6nm\n');
    const r = await recmesh(['carbon', 'embodied', '--bom', bom, '--json']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml: silicon\.cpu\.process = "6nm": unknown logic process node/);
  });
});

describe('recmesh carbon report', () => {
  let t: TestMesh;
  before(async () => {
    t = await startTestMesh({ models: 'rmc1' });
    const spec = resolveModel('rmc1', { rowScale: 0.0005, seed: 7 });
    const rng = new Rng(3);
    for (let i = 0; i < 12; i++) await t.client.rank(syntheticQuery(spec, 50, rng, 5));
    const ledger = t.mesh.services.find((s) => s.role === 'carbon-ledger')?.address ?? '';
    await until('the queries in the books', async () =>
      (await ledgerReport(ledger)).queries === 12 ? true : undefined,
    );
  });
  after(() => t.stop());

  it('--json: the SCI per ranked query, rows, windows, sources with years, boundary', async () => {
    const r = await recmesh([
      'carbon',
      'report',
      '--since',
      '1h',
      '--window',
      '30s',
      '--json',
      '--mesh',
      t.name,
      '--nats-url',
      NATS_URL,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json<{
      sci_g_per_query: number;
      queries: number;
      total_g: number;
      rows: { service: string; g_per_query: number; energy_method: string }[];
      windows: unknown[];
      sources: { what: string; year: number | null }[];
      boundary: string;
    }>();
    assert.equal(j.queries, 12);
    assert.ok(Math.abs(j.sci_g_per_query - j.total_g / 12) < 1e-15);
    assert.deepEqual([...new Set(j.rows.map((x) => x.service))].sort(), [
      'dense-worker',
      'embedding-shard',
      'orchestrator',
    ]);
    assert.ok(
      j.rows.every(
        (x) =>
          x.energy_method === 'modelled' ||
          x.energy_method === 'measured' ||
          x.energy_method === 'mixed',
      ),
    );
    assert.ok(j.windows.length >= 1);
    assert.equal(j.sources.find((s) => s.what.startsWith('grid intensity'))?.year, 2022);
    assert.match(j.boundary, /R = one ranked query/);
  });
  it('--csv with --target: total, rows, sources and boundary in one file', async () => {
    const ledger = t.mesh.services.find((s) => s.role === 'carbon-ledger')?.address ?? '';
    const r = await recmesh(['carbon', 'report', '--since', 'all', '--csv', '--target', ledger]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(
      lines[0] ?? '',
      /^kind,start,end,service,backend,model,profile,energy_method,queries/,
    );
    assert.match(lines[1] ?? '', /^total,/);
    assert.ok(lines.some((l) => l.startsWith('row,')));
    assert.ok(lines.some((l) => l.startsWith('source,')));
    assert.ok(lines.some((l) => l.startsWith('boundary,')));
  });
  it('--db: the same report from the books file, no ledger needed', async () => {
    const r = await recmesh([
      'carbon',
      'report',
      '--since',
      'all',
      '--json',
      '--db',
      t.mesh.ledgerDb,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json<{ queries: number; total_g: number; receipts_g: number }>();
    assert.equal(j.queries, 12);
    assert.ok(Math.abs(j.total_g - j.receipts_g) <= 1e-9 * j.total_g);
  });
  it('a mesh without a ledger is an error that says so', async () => {
    const r = await recmesh([
      'carbon',
      'report',
      '--json',
      '--mesh',
      `${t.name}-none`,
      '--timeout-ms',
      '500',
      '--nats-url',
      NATS_URL,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no carbon ledger announced itself on mesh/);
  });
  it('--since takes durations and names a bad one', async () => {
    const r = await recmesh([
      'carbon',
      'report',
      '--since',
      'yesterday',
      '--target',
      '127.0.0.1:1',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--since = "yesterday": a duration such as 90s/);
  });
});
