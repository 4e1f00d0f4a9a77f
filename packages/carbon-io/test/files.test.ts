// Profiles, bills of materials and grid series read from files: the shipped profiles load, a
// user's folder overrides them, and a bad file is an error naming the file and the field.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  loadProfiles,
  pickProfile,
  readBomFile,
  shippedProfilesDir,
  siteGrid,
} from '@recmesh/carbon-io';

const tmp = () => mkdtempSync(join(tmpdir(), 'carbon-io-'));

describe('profile files', () => {
  it('the shipped profiles load by name', () => {
    const profiles = loadProfiles();
    assert.ok(
      pickProfile(profiles, 'dell-r740', 'RECMESH_HARDWARE_PROFILE').embodied.totalKg > 1523,
    );
    assert.ok(profiles.has('nvidia-a100-pcie-40gb') && profiles.has('recnmp-ddr4-dimm'));
    assert.throws(
      () => pickProfile(profiles, 'cray-1', 'RECMESH_HARDWARE_PROFILE'),
      /RECMESH_HARDWARE_PROFILE = "cray-1": unknown hardware profile; known: dell-r740/,
    );
  });
  it("a user's folder overrides a shipped profile by name; a bad file names itself", () => {
    const dir = tmp();
    const r740 = readFileSync(join(shippedProfilesDir(), 'dell-r740.yaml'), 'utf8');
    writeFileSync(join(dir, 'r740.yaml'), r740.replace('max_w: 550', 'max_w: 480'));
    assert.equal(pickProfile(loadProfiles([dir]), 'dell-r740', 'p').power.maxW, 480);
    writeFileSync(join(dir, 'mine.yaml'), `name: mine\nkind: gpu\n`);
    assert.throws(() => loadProfiles([dir]), new RegExp(`${dir}/mine\\.yaml: capacity = null`));
    writeFileSync(join(dir, 'mine.yaml'), 'name: [unclosed\n');
    assert.throws(() => loadProfiles([dir]), /mine\.yaml = "syntax": not valid YAML or JSON/);
  });
});

describe('bill-of-materials files', () => {
  it('the R740 file of the reference data', () => {
    const bom = readBomFile(
      join(__dirname, '..', '..', 'carbon', 'test', 'fixtures', 'dellr740.yaml'),
    );
    assert.ok(Math.abs(bom.embodied.totalKg - 1523.1376914285718) < 1e-9);
  });
  it('a missing file is an error naming it', () => {
    assert.throws(
      () => readBomFile('/nonexistent/bom.yaml'),
      /\/nonexistent\/bom\.yaml = "ENOENT": cannot read the file/,
    );
  });
});

describe('site grid from configuration', () => {
  it('table value, fixed value, series file; an unknown region names RECMESH_REGION', () => {
    assert.equal(siteGrid({ region: 'europe' }).at(0).gPerKwh, 295);
    assert.equal(siteGrid({ region: 'here', gPerKwh: 123 }).at(0).gPerKwh, 123);
    const dir = tmp();
    writeFileSync(
      join(dir, 's.csv'),
      'from,g_per_kwh,region\n1000,100,europe\n1000,999,usa\n2000,50,europe\n',
    );
    const s = siteGrid({ region: 'europe', seriesFile: join(dir, 's.csv') });
    assert.deepEqual([s.at(0).gPerKwh, s.at(1500).gPerKwh, s.at(2500).gPerKwh], [295, 100, 50]);
    assert.throws(
      () => siteGrid({ region: 'atlantis' }),
      /RECMESH_REGION = "atlantis": unknown grid region/,
    );
    writeFileSync(
      join(dir, 'r.yaml'),
      'regions:\n  - {region: atlantis, g_per_kwh: 42, year: 2025, source: myth}\n',
    );
    assert.equal(
      siteGrid({ region: 'atlantis', regionsFile: join(dir, 'r.yaml') }).at(0).gPerKwh,
      42,
    );
  });
});
