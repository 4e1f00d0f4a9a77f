// Attribution of a piece of work: modelled energy from the linear power model, the embodied share,
// operational carbon with PUE and grid, by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attribute,
  embodiedShareG,
  modelledEnergyJ,
  powerAtUtilisation,
  SECONDS_PER_YEAR,
  type MachineShare,
} from '@recmesh/carbon';

const machine: MachineShare = {
  name: 'm',
  units: 40,
  idleW: 120,
  maxW: 550,
  embodiedKg: 1523.14,
  lifetimeYears: 4,
};

describe('attribution', () => {
  it('power model: idle + u x (max - idle), u clamped to [0, 1]', () => {
    assert.equal(powerAtUtilisation(machine, 0), 120);
    assert.equal(powerAtUtilisation(machine, 0.5), 335);
    assert.equal(powerAtUtilisation(machine, 2), 550);
  });
  it('a busy core-second costs its share of idle plus its dynamic power: max / cores', () => {
    // 120/40 + 430/40 = 13.75 J per core-second
    assert.equal(modelledEnergyJ(2, machine), 27.5);
  });
  it('summed over tenants, the model is P(u) x time less the unused share of idle', () => {
    // 10 s at u = 0.25 on 40 cores: 100 busy core-seconds
    const attributed = modelledEnergyJ(100, machine);
    const machineJ = powerAtUtilisation(machine, 0.25) * 10;
    const unusedIdleJ = 0.75 * 120 * 10;
    assert.ok(Math.abs(attributed - (machineJ - unusedIdleJ)) < 1e-9);
  });
  it('embodied share: embodied x busy / (cores x lifetime), an ACT year of 8766 h', () => {
    assert.equal(SECONDS_PER_YEAR, 8766 * 3600);
    assert.ok(Math.abs(embodiedShareG(1, machine) - 1523140 / (40 * 4 * 31557600)) < 1e-18);
  });
  it('operational with PUE and grid; measured energy replaces the model', () => {
    const site = { gridGPerKwh: 380, pue: 1.1 };
    const m = attribute(3.6e6 / 13.75, machine, site); // 1 kWh of IT energy
    assert.ok(Math.abs(m.operationalG - 418) < 1e-9);
    assert.equal(m.energyMethod, 'modelled');
    assert.ok(Math.abs(m.energyJ - 3.96e6) < 1e-6);
    const r = attribute(10, machine, site, 7200);
    assert.equal(r.energyMethod, 'measured');
    assert.ok(Math.abs(r.operationalG - 0.836) < 1e-12);
    assert.equal(r.totalG, r.operationalG + r.embodiedG);
  });
});
