// ACT's bill-of-materials format: units, defaults, and errors that name the field and value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embodiedTotal, parseBom } from '@recmesh/carbon';

const bom = (silicon: Record<string, unknown>) => ({ name: 'test', silicon });
const fails = (doc: unknown, pattern: RegExp) =>
  assert.throws(() => embodiedTotal(parseBom(doc, 'b.yaml').parts), pattern);

describe('bill of materials', () => {
  it('reads areas in mm2 or cm2 and capacities in GB, TB or GiB', () => {
    const a = embodiedTotal(parseBom(bom({ x: { area: '100 mm2', process: '7nm' } })).parts);
    const b = embodiedTotal(parseBom(bom({ x: { area: '1 cm^2', process: '7nm' } })).parts);
    assert.equal(a.totalKg, b.totalKg);
    const tb = embodiedTotal(
      parseBom(bom({ s: { model: 'flash', process: 'nand_10nm', capacity: '1 TB' } })).parts,
    );
    assert.ok(Math.abs(tb.totalKg - 11.428571428571429) < 1e-12);
    const gib = embodiedTotal(
      parseBom(bom({ d: { model: 'dram', process: 'ddr4_10nm', capacity: '1 GiB' } })).parts,
    );
    assert.ok(Math.abs(gib.totalKg - (1.073741824 * 65) / 0.875 / 1000) < 1e-15);
  });
  it('a part is logic unless it says otherwise, with ACT defaults', () => {
    const r = embodiedTotal(parseBom(bom({ die: { area: '100 mm2', process: '28nm' } })).parts);
    assert.equal(r.parts[0]?.model, 'logic');
    assert.ok(Math.abs(r.totalKg - 1.3282285714285715) < 1e-12);
  });
  it('names the field and the value of every bad input', () => {
    fails(
      bom({ cpu: { area: '100 mm2', process: '6nm' } }),
      /b\.yaml: silicon\.cpu\.process = "6nm": unknown logic process node; known: 28nm/,
    );
    fails(
      bom({ cpu: { area: '100 mm2', process: '7nm', fab_ci: 'mars' } }),
      /silicon\.cpu\.fab_ci = "mars": unknown fab location/,
    );
    fails(
      bom({ cpu: { area: '-5 mm2', process: '7nm' } }),
      /silicon\.cpu\.area = "-5 mm2": must not be negative/,
    );
    fails(
      bom({ cpu: { area: 100, process: '7nm' } }),
      /silicon\.cpu\.area = 100: needs a number with a unit/,
    );
    fails(bom({ cpu: { area: '100 furlongs', process: '7nm' } }), /unknown unit "furlongs"/);
    fails(
      bom({ cpu: { area: '100 mm2', process: '7nm', fab_yield: 0 } }),
      /silicon\.cpu\.fab_yield = 0: fab yield must be in \(0, 1\]/,
    );
    fails(
      bom({ cpu: { area: '100 mm2', process: '7nm', gpa: 90 } }),
      /silicon\.cpu\.gpa = 90: must be 95, 97 or 99/,
    );
    fails(
      bom({ cpu: { area: '100 mm2', process: '7nm', n_ics: 1.5 } }),
      /silicon\.cpu\.n_ics = 1\.5/,
    );
    fails(
      bom({ cpu: { area: '100 mm2', process: '7nm', capacty: '1 GB' } }),
      /silicon\.cpu\.capacty = "1 GB": unknown field/,
    );
    fails(
      bom({ ram: { model: 'dram', process: 'ddr9', capacity: '8 GB' } }),
      /silicon\.ram\.process = "ddr9": unknown dram process/,
    );
    fails(
      bom({ ram: { model: 'dram', process: 'ddr4_10nm' } }),
      /silicon\.ram\.capacity = null: missing/,
    );
    fails(
      bom({ ram: { model: 'sram', process: 'x' } }),
      /silicon\.ram\.model = "sram": unknown model/,
    );
    fails(
      bom({ ram: { model: 'dram', process: 'ddr4_10nm', capacity: '8 GB', area: '1 mm2' } }),
      /silicon\.ram\.area = "1 mm2": not used by the dram model/,
    );
    fails({ name: 'x', materials: {} }, /b\.yaml: materials = "\.\.\.": only the silicon section/);
    fails({ name: 'x' }, /b\.yaml: silicon = null: must be a mapping/);
  });
  it('takes a manual part with its carbon', () => {
    const r = embodiedTotal(
      parseBom(bom({ chassis: { model: 'manual', carbon: '35 kg', fab_yield: 1 } })).parts,
    );
    assert.equal(r.totalKg, 35);
  });
});
