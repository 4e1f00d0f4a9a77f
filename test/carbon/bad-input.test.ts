// Bad input is refused by name, counted in a metric and kept, never dropped or counted twice:
// malformed usage events on a running mesh, an unknown grid region, an unknown hardware profile.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connectBus, subjectsFor } from '@recmesh/bus';
import { UsageEvent } from '@recmesh/proto';
import { NATS_URL, startTestMesh, type TestMesh } from '../support/local-mesh';
import { usageEvent } from '../support/usage-event';
import { ledgerReport, startLedger, until } from '../support/ledger-process';

const good = usageEvent();

describe('bad usage events on a running mesh', () => {
  let t: TestMesh;
  before(async () => {
    t = await startTestMesh({ models: 'rmc1' });
  });
  after(() => t.stop());

  it('are refused with their reason, counted by reason, terminated, and not booked', async () => {
    const ledger = t.mesh.services.find((s) => s.role === 'carbon-ledger');
    assert.ok(ledger !== undefined);
    const before0 = await ledgerReport(ledger.address);
    const nc = await connectBus({ servers: NATS_URL, name: `${t.name}-bad` });
    const js = jetstream(nc);
    const subject = subjectsFor(t.name).usage('test');
    const bad: [string, UsageEvent][] = [
      ['missing_id', { ...good, id: '' }],
      ['bad_number', { ...good, id: 'neg', energyJ: -2, energyMethod: 'measured' }],
      ['bad_number', { ...good, id: 'nan', energyJ: NaN, energyMethod: 'measured' }],
      ['unknown_profile', { ...good, id: 'prof', profile: 'cray-1' }],
    ];
    for (const [, e] of bad) await js.publish(subject, UsageEvent.encode(e).finish());
    await nc.close();
    const r = await until('the refusals', async () => {
      const rep = await ledgerReport(ledger.address);
      return rep.rejectedEvents === before0.rejectedEvents + bad.length ? rep : undefined;
    });
    assert.equal(r.events, before0.events); // none of them booked
    const metrics = await (await fetch(`http://127.0.0.1:${ledger.metricsPort}/metrics`)).text();
    for (const reason of ['missing_id', 'bad_number', 'unknown_profile']) {
      const want = bad.filter(([r0]) => r0 === reason).length;
      assert.match(
        metrics,
        new RegExp(`recmesh_ledger_events_rejected_total\\{reason="${reason}"[^}]*\\} ${want}\\n`),
      );
    }
  });
});

describe('bad configuration stops the ledger with the name of what is wrong', () => {
  const base = () => ({
    RECMESH_MESH: `badcfg-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    NATS_URL,
    RECMESH_LEDGER_DB: join(mkdtempSync(join(tmpdir(), 'ledger-')), 'b.sqlite'),
    RECMESH_GRID_FEED: 'off',
  });
  it('an unknown grid region', async () => {
    await assert.rejects(
      startLedger({ ...base(), RECMESH_REGION: 'atlantis' }),
      /RECMESH_REGION = \\?"atlantis\\?": unknown grid region/,
    );
  });
  it('an unknown hardware profile', async () => {
    await assert.rejects(
      startLedger({ ...base(), RECMESH_HARDWARE_PROFILE: 'cray-1' }),
      /RECMESH_HARDWARE_PROFILE = \\?"cray-1\\?": unknown hardware profile/,
    );
  });
  it('a negative PUE', async () => {
    await assert.rejects(
      startLedger({ ...base(), RECMESH_PUE: '-1' }),
      /RECMESH_PUE = "-1": Too small/,
    );
  });
});
