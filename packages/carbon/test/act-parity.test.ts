// The ACT model against the public ACT code's outputs (fixtures/act-outputs.json, copied from the
// reference data): every check and worked example within 0.5%, and cases not in that file,
// computed by hand from ACT's formulas and tables.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  ACT,
  actOperationalG,
  embodiedTotal,
  HOURS_PER_YEAR,
  logicDieCarbon,
  manualCarbon,
  parseBom,
  storageCarbon,
  type Abatement,
  type StoragePart,
} from '@recmesh/carbon';

const TOLERANCE = 0.005;
const fixtures = join(__dirname, 'fixtures');

interface Check {
  id: string;
  kind: string;
  process?: string;
  area_mm2?: number;
  capacity_GB?: number;
  fab_ci?: string;
  gpa?: Abatement;
  fab_yield?: number;
  n_ics?: number;
  power_W?: number;
  lifetime_h?: number;
  duty_cycle?: number;
  ci?: string;
  expected_kg: number;
}
const outputs = JSON.parse(readFileSync(join(fixtures, 'act-outputs.json'), 'utf8')) as {
  checks: Check[];
  examples: Record<string, number>;
  boms: { dellr740: { total_kg: number; result_by_category_kg: Record<string, string> } };
};

const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
function near(got: number, want: number, what: string, tol = TOLERANCE): void {
  assert.ok(
    rel(got, want) <= tol,
    `${what}: got ${got}, want ${want} (relative error ${rel(got, want)})`,
  );
}
const totalKg = (c: { fabricationG: number; packagingG: number }) =>
  (c.fabricationG + c.packagingG) / 1000;
const dellBom = () =>
  parseBom(parse(readFileSync(join(fixtures, 'dellr740.yaml'), 'utf8')), 'dellr740.yaml');

function modelKg(c: Check): number {
  switch (c.kind) {
    case 'logic':
      return totalKg(
        logicDieCarbon({
          areaMm2: c.area_mm2 as number,
          process: c.process as string,
          fabCi: c.fab_ci as string,
          gpa: c.gpa as Abatement,
          fabYield: c.fab_yield as number,
          nIcs: c.n_ics as number,
        }),
      );
    case 'dram':
    case 'ssd':
    case 'hdd':
      return totalKg(
        storageCarbon({
          kind: c.kind === 'ssd' ? 'flash' : c.kind,
          capacityGb: c.capacity_GB as number,
          process: c.process as string,
          fabYield: c.fab_yield as number,
          nIcs: c.n_ics as number,
        }),
      );
    case 'operational':
      return (
        actOperationalG(
          c.power_W as number,
          c.lifetime_h as number,
          c.duty_cycle as number,
          ACT.ciGPerKwh[c.ci as string] as number,
        ) / 1000
      );
    case 'bom_cli':
      return embodiedTotal(dellBom().parts).totalKg;
    default:
      throw new Error(`check ${c.id}: unknown kind ${c.kind}`);
  }
}

describe('ACT parity: every check of the reference outputs', () => {
  let worst = 0;
  for (const c of outputs.checks) {
    it(`${c.id} within 0.5%`, () => {
      const got = modelKg(c);
      worst = Math.max(worst, rel(got, c.expected_kg));
      near(got, c.expected_kg, c.id);
    });
  }
  it('reports the largest relative error', () => {
    assert.ok(worst <= TOLERANCE);
    process.stdout.write(`# ACT parity: max relative error ${worst.toExponential(2)}\n`);
  });
});

describe('ACT parity: worked examples', () => {
  const storage = (kind: StoragePart['kind'], process: string, gb: number, nIcs = 0) =>
    totalKg(storageCarbon({ kind, process, capacityGb: gb, fabYield: 0.875, nIcs }));
  const e = outputs.examples;
  const cases: [StoragePart['kind'], string, number, number, string][] = [
    ['dram', 'ddr4_10nm', 64, 0, 'dram_ddr4_10nm_64GB_yield0.875_n_ics0'],
    ['dram', 'ddr4_10nm', 64, 18, 'dram_ddr4_10nm_64GB_yield0.875_n_ics18'],
    ['flash', 'nand_10nm', 1000, 0, 'ssd_nand_10nm_1TB(1000GB)_yield0.875'],
    ['hdd', 'Exosx16', 16000, 0, 'hdd_Exosx16_16TB(16000GB)_yield0.875'],
  ];
  for (const [kind, process, gb, nIcs, key] of cases) {
    it(key, () => near(storage(kind, process, gb, nIcs), e[key] as number, key));
  }
  it('operational 100 W for a year, three grids and duty cycles', () => {
    assert.equal(HOURS_PER_YEAR, e.pint_year_in_hours);
    const op = (ci: string, duty: number) =>
      actOperationalG(100, HOURS_PER_YEAR, duty, ACT.ciGPerKwh[ci] as number) / 1000;
    near(op('usa', 1), e.op_100W_1year_duty1_usa as number, 'usa');
    near(op('taiwan', 1), e.op_100W_1year_duty1_taiwan as number, 'taiwan');
    near(op('europe', 0.5), e['op_100W_1year_duty0.5_europe'] as number, 'europe');
  });
  it('the Dell R740 bill of materials, in total and by category', () => {
    const r = embodiedTotal(dellBom().parts);
    const dell = outputs.boms.dellr740;
    near(r.totalKg, dell.total_kg, 'total');
    near(
      r.fabricationKg,
      parseFloat(dell.result_by_category_kg.FABRICATION as string),
      'fabrication',
    );
    near(r.packagingKg, parseFloat(dell.result_by_category_kg.PACKAGING as string), 'packaging');
    assert.equal(r.parts.length, 24);
  });
});

describe('ACT model: cases not in the reference file, by hand from the formulas', () => {
  const logicG = (die: Parameters<typeof logicDieCarbon>[0]) => {
    const c = logicDieCarbon(die);
    return c.fabricationG + c.packagingG;
  };
  it('5 nm, US fab, 99% abatement, yield 0.6, 250 mm2, 3 ICs', () => {
    // 2.5 cm2 x (380 x 2.75 + 225 + 500) / 0.6 + 3 x 150 = 7375 + 450 g
    near(
      logicG({ areaMm2: 250, process: '5nm', fabCi: 'usa', gpa: 99, fabYield: 0.6, nIcs: 3 }),
      7825,
      '5nm',
      1e-12,
    );
  });
  it('10 nm, Icelandic fab, 95% abatement, perfect yield, 50 mm2', () => {
    // 0.5 cm2 x (28 x 1.475 + 240 + 500) / 1 = 390.65 g
    near(
      logicG({ areaMm2: 50, process: '10nm', fabCi: 'iceland', gpa: 95, fabYield: 1 }),
      390.65,
      '10nm',
      1e-12,
    );
  });
  it('3 nm with every default (Taiwan fab, 97% abatement, yield 0.875)', () => {
    // 1 cm2 x (583 x 3.25 + 372.5 + 500) / 0.875 = 3162.571... g
    near(logicG({ areaMm2: 100, process: '3nm' }), 2767.25 / 0.875, '3nm', 1e-12);
  });
  it('8 nm and 20 nm with a fab grid given in gCO2e/kWh', () => {
    // 8 nm: 2 cm2 x (100 x 1.52 + 195 + 500) / 0.875; 20 nm: 1 cm2 x (0 x 1.2 + 150 + 500) / 0.875
    near(logicG({ areaMm2: 200, process: '8nm', fabCi: 100 }), (2 * 847) / 0.875, '8nm', 1e-12);
    near(logicG({ areaMm2: 100, process: '20nm', fabCi: 0 }), 650 / 0.875, '20nm', 1e-12);
  });
  it('gpa 97 is the mean of the 95 and 99 tables at every node', () => {
    for (const node of Object.keys(ACT.epaKwhPerCm2)) {
      const mean =
        ((ACT.gpaGPerCm2[95][node] as number) + (ACT.gpaGPerCm2[99][node] as number)) / 2;
      assert.equal(ACT.gpaGPerCm2[97][node], mean, node);
    }
  });
  it('memory and storage by GiB and TB, other processes and yields', () => {
    // LPDDR4 16 GiB at yield 0.9: 16 x 1.073741824 GB x 48 g/GB / 0.9 = 916.25969 g
    const lp = storageCarbon({
      kind: 'dram',
      process: 'lpddr4',
      capacityGb: 16 * 1.073741824,
      fabYield: 0.9,
    });
    near(lp.fabricationG, 916.25969, 'lpddr4', 1e-8);
    // WD 2019 SSD, 2 TB, 4 ICs: 2000 x 10.7 / 0.875 + 600
    const wd = storageCarbon({
      kind: 'flash',
      process: 'western_digital_2019',
      capacityGb: 2000,
      nIcs: 4,
    });
    near(wd.fabricationG + wd.packagingG, 21400 / 0.875 + 600, 'wd2019', 1e-12);
    // Exos 2x14 HDD, 14 TB: 14000 x 1.653 / 0.875 = 26448 g
    near(
      storageCarbon({ kind: 'hdd', process: 'Exos2x14', capacityGb: 14000 }).fabricationG,
      26448,
      'exos',
      1e-12,
    );
  });
  it('manual parts: ACT divides the given carbon and the packaging by the yield', () => {
    // (12 kg + 2 x 150 g) / 0.8 = 15375 g
    const c = manualCarbon(12000, 0.8, 2);
    near(c.fabricationG + c.packagingG, 15375, 'manual', 1e-12);
  });
  it('operational: 350 W for 2 years at 30% duty in India', () => {
    // 725 g/kWh x 0.35 kW x 17532 h x 0.3 = 1,334,613.3 g
    near(
      actOperationalG(350, 2 * HOURS_PER_YEAR, 0.3, 725),
      725 * 0.35 * 17532 * 0.3,
      'india',
      1e-12,
    );
  });
});
