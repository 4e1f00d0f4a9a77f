// Grid intensity: the region table, the step-function series and its time-weighted mean, and the
// file formats a user plugs a series in with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GridSeries,
  parseGridCsv,
  parseGridDoc,
  parseRegions,
  regionTable,
  resolveRegion,
} from '@recmesh/carbon';

const table = regionTable();

describe('grid regions', () => {
  it("ACT's locations (2022) and sources (2014) with their values", () => {
    assert.deepEqual(resolveRegion(table, 'usa'), {
      region: 'usa',
      gPerKwh: 380,
      year: 2022,
      source: 'ACT location_2022.yaml (facebookresearch/ACT)',
    });
    assert.equal(resolveRegion(table, 'wind').year, 2014);
  });
  it('an unknown region is an error naming it', () => {
    assert.throws(
      () => resolveRegion(table, 'atlantis', 'RECMESH_REGION'),
      /RECMESH_REGION = "atlantis": unknown grid region; known: world/,
    );
  });
  it('a regions file extends and overrides the table, each entry checked', () => {
    const t = regionTable(
      parseRegions({ regions: [{ region: 'usa', g_per_kwh: 369, year: 2023, source: 'EIA' }] }),
    );
    assert.equal(resolveRegion(t, 'usa').gPerKwh, 369);
    assert.throws(
      () =>
        parseRegions(
          { regions: [{ region: 'x', g_per_kwh: -3, year: 2023, source: 's' }] },
          'r.yaml',
        ),
      /r\.yaml: regions\[0\]\.g_per_kwh = -3: must be a number >= 0/,
    );
    assert.throws(
      () =>
        parseRegions(
          { regions: [{ region: 'x', g_per_kwh: 'high', year: 2023, source: 's' }] },
          'r.yaml',
        ),
      /g_per_kwh = "high"/,
    );
    assert.throws(
      () => parseRegions({ regions: [{ region: 'x', g_per_kwh: 3, source: 's' }] }, 'r.yaml'),
      /regions\[0\]\.year = null/,
    );
  });
});

describe('grid series', () => {
  const series = () => {
    const s = new GridSeries('usa', resolveRegion(table, 'usa'));
    s.add({ fromMs: 1000, gPerKwh: 200, source: 'feed' });
    s.add({ fromMs: 3000, gPerKwh: 500, source: 'feed' });
    return s;
  };
  it('is a step function starting at the table value', () => {
    const s = series();
    assert.equal(s.at(0).gPerKwh, 380);
    assert.equal(s.at(999.9).gPerKwh, 380);
    assert.equal(s.at(1000).gPerKwh, 200);
    assert.equal(s.at(2999).gPerKwh, 200);
    assert.equal(s.at(1e12).gPerKwh, 500);
  });
  it('a point at an existing time replaces it; points may arrive out of order', () => {
    const s = series();
    s.add({ fromMs: 2000, gPerKwh: 100, source: 'late' });
    s.add({ fromMs: 1000, gPerKwh: 250, source: 'fix' });
    assert.deepEqual([s.at(1500).gPerKwh, s.at(2500).gPerKwh, s.size], [250, 100, 4]);
  });
  it('time-weighted mean over a window, by hand', () => {
    const s = series();
    // [500, 3500]: 500 ms at 380, 2000 ms at 200, 500 ms at 500 -> (190000 + 400000 + 250000) / 3000
    assert.equal(s.meanOver(500, 3500), 840000 / 3000);
    assert.equal(s.meanOver(1200, 1800), 200);
    assert.equal(s.meanOver(2000, 2000), 200);
    assert.deepEqual(
      s.segments(500, 3500).map((g) => [g.fromMs, g.toMs, g.point.gPerKwh]),
      [
        [500, 1000, 380],
        [1000, 3000, 200],
        [3000, 3500, 500],
      ],
    );
  });
  it('refuses a negative or non-numeric intensity', () => {
    assert.throws(() => series().add({ fromMs: 5, gPerKwh: -1, source: 'x' }), /g_per_kwh = -1/);
    assert.throws(() => series().add({ fromMs: 5, gPerKwh: NaN, source: 'x' }), /g_per_kwh = NaN/);
  });
});

describe('grid series files', () => {
  it('CSV with a header; ISO or epoch-ms times; errors name file, line and column', () => {
    const csv =
      '# hourly\nfrom,g_per_kwh,source\n2026-01-01T00:00:00Z,310,grid operator\n1767229200000,290\n';
    const points = parseGridCsv(csv, 'g.csv', 'usa');
    assert.deepEqual(points, [
      {
        region: 'usa',
        fromMs: Date.parse('2026-01-01T00:00:00Z'),
        gPerKwh: 310,
        source: 'grid operator',
      },
      { region: 'usa', fromMs: 1767229200000, gPerKwh: 290, source: 'g.csv' },
    ]);
    assert.throws(
      () => parseGridCsv('from,g_per_kwh\n2026-01-01T00:00:00Z,abc\n', 'g.csv', 'usa'),
      /g\.csv:2 g_per_kwh = "abc"/,
    );
    assert.throws(
      () => parseGridCsv('from,g_per_kwh\n2026-01-01T00:00:00Z,-4\n', 'g.csv', 'usa'),
      /g\.csv:2\.g_per_kwh = -4/,
    );
    assert.throws(
      () => parseGridCsv('from,g_per_kwh\nyesterday,4\n', 'g.csv', 'usa'),
      /g\.csv:2\.from = "yesterday"/,
    );
    assert.throws(
      () => parseGridCsv('when,value\n', 'g.csv', 'usa'),
      /g\.csv: header = "when,value": needs a "from" column/,
    );
  });
  it('JSON or YAML documents', () => {
    const points = parseGridDoc(
      { region: 'europe', points: [{ from: 0, g_per_kwh: 250, year: 2026 }] },
      'g.json',
      'usa',
    );
    assert.deepEqual(points, [
      { region: 'europe', fromMs: 0, gPerKwh: 250, source: 'g.json', year: 2026 },
    ]);
    assert.throws(() => parseGridDoc({ points: 3 }, 'g.json', 'usa'), /g\.json: points = 3/);
  });
});
