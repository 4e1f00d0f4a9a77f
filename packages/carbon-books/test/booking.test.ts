// Booking: refusals name the field and value; the carbon of an event by hand, modelled and
// measured, across a grid step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECONDS_PER_YEAR } from '@recmesh/carbon';
import { Booking, refusalOf } from '@recmesh/carbon-books';
import { event, grid, profiles } from './fixtures';

describe('refusals', () => {
  const refused = (over: Parameters<typeof event>[0]) => refusalOf(event(over), profiles);
  it('accepts a good event', () => assert.equal(refused({}), undefined));
  it('names the field and the value of every bad one', () => {
    assert.deepEqual(refused({ id: '' }), {
      reason: 'missing_id',
      message: 'id = "": missing: every usage event needs its unique id',
    });
    assert.deepEqual(refused({ energyJ: -5 }), {
      reason: 'bad_number',
      message: 'energy_j = -5: must be a finite number >= 0',
    });
    assert.equal(
      refused({ energyJ: NaN })?.message,
      'energy_j = NaN: must be a finite number >= 0',
    );
    assert.equal(
      refused({ busyS: Infinity })?.message,
      'busy_s = Infinity: must be a finite number >= 0',
    );
    assert.equal(refused({ windowEndMs: 500 })?.reason, 'bad_window');
    assert.equal(
      refused({ energyMethod: 'guessed' })?.message,
      'energy_method = "guessed": must be "measured", "modelled" or "mixed"',
    );
    assert.equal(
      refused({ profile: 'cray-1' })?.message,
      'profile = "cray-1": unknown hardware profile; the ledger knows box',
    );
    assert.equal(refused({ service: '' })?.reason, 'missing_service');
  });
});

describe('the carbon of an event', () => {
  const booking = new Booking({ profiles, grid: grid(), pue: 1.5 });
  it('modelled: 11 J per busy unit-second, PUE, grid, embodied share, by hand', () => {
    const b = booking.cost(event({ busyS: 2 }));
    assert.equal(b.itEnergyJ, 22);
    assert.equal(b.energyJ, 33);
    assert.ok(Math.abs(b.operationalG - 33 * 1e-4) < 1e-15); // 360 g/kWh = 1e-4 g/J
    assert.ok(Math.abs(b.embodiedG - (1000 * 2) / (10 * SECONDS_PER_YEAR)) < 1e-18);
    assert.equal(b.energyMethod, 'modelled');
    assert.equal(b.gridGPerKwh, 360);
    assert.equal(b.gridSource, 'test table (2026)');
  });
  it('measured energy is used as measured', () => {
    const b = booking.cost(
      event({ busyS: 2, energyJ: 7, energyMethod: 'measured', energySource: 'RAPL' }),
    );
    assert.equal(b.itEnergyJ, 7);
    assert.ok(Math.abs(b.operationalG - 7 * 1.5 * 1e-4) < 1e-15);
  });
  it("a backend's own model of an emulated device (nmp) is used, and stays labelled modelled", () => {
    const b = booking.cost(
      event({ busyS: 2, energyJ: 3, energyMethod: 'modelled', energySource: 'nmp backend' }),
    );
    assert.equal(b.itEnergyJ, 3);
    assert.equal(b.energyMethod, 'modelled');
    const mixed = booking.cost(event({ busyS: 2, energyJ: 4, energyMethod: 'mixed' }));
    assert.deepEqual([mixed.itEnergyJ, mixed.energyMethod], [4, 'mixed']);
  });
  it('a window across a grid step takes the time-weighted mean intensity', () => {
    // 9 s to 11 s: one second at 360, one at 720 -> 540
    const b = booking.cost(event({ windowStartMs: 9000, windowEndMs: 11_000, busyS: 1 }));
    assert.equal(b.gridGPerKwh, 540);
    assert.equal(b.gridSource, 'test table (2026); test feed (2026)');
  });
});
