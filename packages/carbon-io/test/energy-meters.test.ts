// Energy meters on a fake powercap tree and a fake nvidia-smi: domains chosen without double
// counting, counter wraps undone, unreadable files degrade to the model, explicit modes that
// cannot be met are errors naming the variable.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createEnergyMeter, RaplReader } from '@recmesh/carbon-io';

const MAX = 262_143_328_850;

function powercap(domains: Record<string, { name: string; uj: number | 'dir' }>): string {
  const root = mkdtempSync(join(tmpdir(), 'powercap-'));
  for (const [entry, d] of Object.entries(domains)) {
    const dir = join(root, entry);
    mkdirSync(dir);
    writeFileSync(join(dir, 'name'), `${d.name}\n`);
    writeFileSync(join(dir, 'max_energy_range_uj'), `${MAX}\n`);
    if (d.uj === 'dir') mkdirSync(join(dir, 'energy_uj'));
    else writeFileSync(join(dir, 'energy_uj'), `${d.uj}\n`);
  }
  return root;
}
const setUj = (root: string, entry: string, uj: number) =>
  writeFileSync(join(root, entry, 'energy_uj'), `${uj}\n`);

describe('RAPL reader', () => {
  it('adds packages and DRAM, skips core, uncore and psys, and undoes a wrap', () => {
    const root = powercap({
      'intel-rapl:0': { name: 'package-0', uj: MAX - 1_000_000 },
      'intel-rapl:0:0': { name: 'core', uj: 5 },
      'intel-rapl:0:1': { name: 'dram', uj: 10_000_000 },
      'intel-rapl:1': { name: 'psys', uj: 0 },
    });
    const rapl = new RaplReader(root);
    assert.equal(rapl.available, true);
    assert.deepEqual(rapl.domainNames, ['package-0', 'dram']);
    setUj(root, 'intel-rapl:0', 2_000_000); // wrapped: 1 J to the top, 2 J after
    setUj(root, 'intel-rapl:0:0', 99_000_000);
    setUj(root, 'intel-rapl:0:1', 14_000_000);
    setUj(root, 'intel-rapl:1', 500_000_000);
    assert.equal(rapl.readJ(), 3 + 4);
  });
  it('is unavailable, with the reason, when nothing can be read', () => {
    const none = new RaplReader(join(tmpdir(), 'no-such-powercap'));
    assert.equal(none.available, false);
    assert.match(none.problems.join(), /no-such-powercap: ENOENT/);
    const unreadable = new RaplReader(
      powercap({ 'intel-rapl:0': { name: 'package-0', uj: 'dir' } }),
    );
    assert.equal(unreadable.available, false);
    assert.match(unreadable.problems.join(), /intel-rapl:0: EISDIR/);
  });
});

describe('energy meters', () => {
  it("RAPL: this process's share of the package by CPU time, labelled measured", async () => {
    const root = powercap({ 'intel-rapl:0': { name: 'package-0', uj: 0 } });
    const stat = join(root, 'stat');
    writeFileSync(stat, 'cpu  0 0 0 0 0 0 0 0 0 0\n');
    const meter = await createEnergyMeter({
      mode: 'auto',
      backend: 'cpu',
      raplRoot: root,
      procStat: stat,
    });
    assert.equal(meter.method, 'measured');
    assert.match(meter.description, /RAPL package-0/);
    const spin = performance.now();
    while (performance.now() - spin < 30); // some CPU time of our own
    setUj(root, 'intel-rapl:0', 50_000_000); // 50 J
    writeFileSync(stat, 'cpu  100000 0 0 0 0 0 0 0 0 0\n'); // 1000 busy CPU-seconds on the machine
    const j = (await meter.sample()) as number;
    assert.ok(j > 0 && j < 50 * 0.01, `share ${j} J`);
    // A counter that becomes unreadable: this window is modelled, and the error is kept.
    rmSync(join(root, 'intel-rapl:0', 'energy_uj'));
    mkdirSync(join(root, 'intel-rapl:0', 'energy_uj'));
    assert.equal(await meter.sample(), undefined);
    assert.match(meter.lastError ?? '', /EISDIR/);
  });
  it('falls back to the model in auto mode, and refuses an explicit mode it cannot meet', async () => {
    const missing = join(tmpdir(), 'no-such-powercap');
    const auto = await createEnergyMeter({ mode: 'auto', backend: 'cpu', raplRoot: missing });
    assert.equal(auto.method, 'modelled');
    assert.match(auto.description, /modelled: RAPL not readable/);
    assert.equal(await auto.sample(), undefined);
    await assert.rejects(
      createEnergyMeter({ mode: 'rapl', backend: 'cpu', raplRoot: missing }),
      /RECMESH_ENERGY=rapl: RAPL is not readable/,
    );
    const gpu = await createEnergyMeter({
      mode: 'auto',
      backend: 'cuda',
      nvidiaSmi: join(tmpdir(), 'no-nvidia-smi'),
    });
    assert.match(gpu.description, /modelled: no GPU power reading/);
    await assert.rejects(
      createEnergyMeter({
        mode: 'nvidia-smi',
        backend: 'cuda',
        nvidiaSmi: join(tmpdir(), 'no-nvidia-smi'),
      }),
      /RECMESH_ENERGY=nvidia-smi/,
    );
    assert.equal((await createEnergyMeter({ mode: 'model', backend: 'cpu' })).method, 'modelled');
  });
  it('nvidia-smi: power of the chosen GPUs integrated over time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nvsmi-'));
    const smi = join(dir, 'nvidia-smi');
    writeFileSync(smi, '#!/bin/sh\necho "0, 100.0"\necho "1, 300.0"\n', { mode: 0o755 });
    const meter = await createEnergyMeter({
      mode: 'auto',
      backend: 'cuda',
      nvidiaSmi: smi,
      gpus: [0],
    });
    assert.equal(meter.method, 'measured');
    const started = performance.now();
    await new Promise((r) => setTimeout(r, 200));
    const j = (await meter.sample()) as number;
    const s = (performance.now() - started) / 1000;
    assert.ok(Math.abs(j - 100 * s) < 100 * 0.1, `${j} J over ${s} s at 100 W`);
  });
});
