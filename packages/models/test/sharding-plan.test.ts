import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planTableWise, resolveModels, singleGroupPlan, validatePlan } from '../src/index';

const models = resolveModels('rmc1,rmc2', { rowScale: 0.001, seed: 1 });

describe('sharding plans', () => {
  it('table-wise plans hold every table exactly once, spread over the groups', () => {
    const plan = planTableWise(models, 3, 2);
    validatePlan(plan, models);
    assert.equal(plan.groups.length, 3);
    assert.ok(plan.groups.every((g) => g.replicas === 2 && g.partitions.length > 0));
    const count = plan.groups.reduce((s, g) => s + g.partitions.length, 0);
    assert.equal(count, 8 + 32);
  });

  it('the single-group plan validates', () => {
    validatePlan(singleGroupPlan(models), models);
  });

  it('a gap, an overlap, an unknown model or a bad range is refused with its field', () => {
    const base = singleGroupPlan(models);
    const group = base.groups[0];
    assert.ok(group !== undefined);
    const without = { version: 1, groups: [{ ...group, partitions: group.partitions.slice(1) }] };
    assert.throws(() => validatePlan(without, models), /rmc1 table 0/);
    const overlap = {
      version: 1,
      groups: [
        group,
        {
          id: 'other',
          replicas: 1,
          partitions: [{ model: 'rmc1', table: 0, rowStart: 0, rowEnd: 1 }],
        },
      ],
    };
    assert.throws(() => validatePlan(overlap, models), /overlaps rows already held/);
    const twoRanges = {
      version: 1,
      groups: [
        {
          ...group,
          partitions: [...group.partitions, { model: 'rmc1', table: 0, rowStart: 0, rowEnd: 1 }],
        },
      ],
    };
    assert.throws(() => validatePlan(twoRanges, models), /one contiguous range per table/);
    const unknown = {
      version: 1,
      groups: [{ ...group, partitions: [{ model: 'rmc9', table: 0, rowStart: 0, rowEnd: 1 }] }],
    };
    assert.throws(
      () => validatePlan(unknown, models),
      /plan\.groups\[0\]\.partitions\[0\]\.model = "rmc9"/,
    );
    const badRange = {
      version: 1,
      groups: [{ ...group, partitions: [{ model: 'rmc1', table: 0, rowStart: 5, rowEnd: 5 }] }],
    };
    assert.throws(() => validatePlan(badRange, models), /partitions\[0\]\.rowEnd/);
    assert.throws(() => validatePlan({ version: 2, groups: [] }, models), /plan\.version = 2/);
    assert.throws(
      () => validatePlan({ version: 1, groups: [{ ...group, replicas: 0 }] }, models),
      /replicas = 0/,
    );
  });

  it('row-wise partitions that tile a table are accepted', () => {
    const one = resolveModels('rmc3', { rowScale: 0.0001, seed: 1 });
    const rows = one[0]?.tables[0]?.rows ?? 0;
    const plan = singleGroupPlan(one);
    const g0 = plan.groups[0];
    assert.ok(g0 !== undefined);
    const split = {
      version: 1 as const,
      groups: [
        {
          id: 'a',
          replicas: 1,
          partitions: [
            ...g0.partitions.filter((p) => p.table !== 0),
            { model: 'rmc3', table: 0, rowStart: 0, rowEnd: 50 },
          ],
        },
        {
          id: 'b',
          replicas: 1,
          partitions: [{ model: 'rmc3', table: 0, rowStart: 50, rowEnd: rows }],
        },
      ],
    };
    validatePlan(split, one);
  });
});
