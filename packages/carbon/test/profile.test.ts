// Hardware profiles: the shipped ones parse and their embodied totals come from the ACT model;
// a malformed profile is refused with the file, the field and the value.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { embodiedTotal, parseBom, parseProfile } from '@recmesh/carbon';

const dir = join(__dirname, '..', 'profiles');
const load = (name: string) =>
  parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;

describe('hardware profiles', () => {
  it('every shipped profile parses, with a source for every number', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const p = parseProfile(load(f), f);
      assert.equal(`${p.name}.yaml`, f);
      assert.ok(p.embodied.totalKg > 0, f);
      for (const part of p.parts) assert.ok((part.source ?? '').length > 0, `${f} ${part.name}`);
    }
  });
  it("the R740 profile's embodied carbon is ACT's R740 bill of materials (1523.14 kg)", () => {
    const p = parseProfile(load('dell-r740.yaml'), 'dell-r740.yaml');
    const bom = parseBom(parse(readFileSync(join(__dirname, 'fixtures', 'dellr740.yaml'), 'utf8')));
    assert.ok(Math.abs(p.embodied.totalKg - 1523.1376914285718) < 1e-9);
    assert.equal(p.embodied.totalKg, embodiedTotal(bom.parts).totalKg);
  });
  it('the A100 profile: 826 mm2 at 7 nm from Taiwan plus 40 GB of memory, by hand', () => {
    const p = parseProfile(load('nvidia-a100-pcie-40gb.yaml'), 'a100');
    // die: 8.26 cm2 x (583 x 2.15 + 275 + 500) / 0.875 + 150; memory: 40 x 65 / 0.875 + 5 x 150
    const want = (8.26 * (583 * 2.15 + 775)) / 0.875 + 150 + (40 * 65) / 0.875 + 750;
    assert.ok(Math.abs(p.embodied.totalKg * 1000 - want) < 1e-6);
  });

  const bad = (edit: (doc: Record<string, unknown>) => void, pattern: RegExp) => {
    const doc = structuredClone(load('dell-r740.yaml'));
    edit(doc);
    assert.throws(() => parseProfile(doc, 'r740.yaml'), pattern);
  };
  it('names the file, the field and the value of a malformed profile', () => {
    bad(
      (d) => ((d.power as Record<string, unknown>).max_w = 'lots'),
      /r740\.yaml: power\.max_w = "lots": Invalid input: expected number/,
    );
    bad(
      (d) => ((d.power as Record<string, unknown>).idle_w = -1),
      /r740\.yaml: power\.idle_w = -1: /,
    );
    bad(
      (d) => ((d.power as Record<string, unknown>).idle_w = 900),
      /r740\.yaml: power\.max_w = 550: max_w must be >= idle_w/,
    );
    bad(
      (d) => delete (d.lifetime as Record<string, unknown>).source,
      /r740\.yaml: lifetime\.source = null/,
    );
    bad(
      (d) => ((d.capacity as Record<string, unknown>).units = 0),
      /r740\.yaml: capacity\.units = 0/,
    );
    bad(
      (d) => ((d.capacity as Record<string, unknown>).unit = 'device'),
      /r740\.yaml: capacity\.unit = "device": a cpu-server is shared by the core/,
    );
    bad((d) => (d.kind = 'mainframe'), /r740\.yaml: kind = "mainframe"/);
    bad((d) => (d.colour = 'blue'), /r740\.yaml: colour = "blue": Unrecognized key/);
    bad(
      (d) =>
        ((d.silicon as Record<string, unknown>)['cpu.main1'] = { area: '1 mm2', process: '7nm' }),
      /r740\.yaml: silicon\.cpu\.main1\.source = null: missing/,
    );
    bad(
      (d) =>
        ((d.silicon as Record<string, unknown>)['cpu.main1'] = {
          area: '1 mm2',
          process: '1nm',
          source: 's',
        }),
      /r740\.yaml: silicon\.cpu\.main1\.process = "1nm": unknown logic process node/,
    );
  });
});
