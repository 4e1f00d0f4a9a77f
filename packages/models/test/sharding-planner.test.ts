// Planner properties on random table sets: every row held exactly once (validatePlan), budgets
// respected, big tables split row-wise over distinct groups, memory and traffic balanced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  planLoads,
  planShards,
  planTableWise,
  resolveModel,
  streamKey,
  uniformAt,
  validatePlan,
  type ModelSpec,
  type TableSpec,
} from '../src/index';

/** The package's own counter-based generator as a stream. */
function rng(seed: number): () => number {
  const key = streamKey(seed, 'planner-test');
  let i = 0;
  return () => uniformAt(key, i++);
}

function model(name: string, tables: TableSpec[]): ModelSpec {
  return { ...resolveModel('rmc2', { rowScale: 0.001, seed: 1 }), name, tables };
}

function randomModels(rand: () => number): ModelSpec[] {
  return Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, m) =>
    model(
      `m${m}`,
      Array.from({ length: 1 + Math.floor(rand() * 12) }, () => ({
        rows: 1 + Math.floor(rand() ** 2 * 100_000),
        dim: [4, 16, 32, 64, 128][Math.floor(rand() * 5)] as number,
        pool: 1 + Math.floor(rand() * 120),
        pooling: 'sum' as const,
      })),
    ),
  );
}

const fp32Bytes = (models: ModelSpec[]) =>
  models.reduce((s, m) => s + m.tables.reduce((t, x) => t + x.rows * x.dim * 4, 0), 0);

describe('sharding planner', () => {
  it('serves every row exactly once and stays within budgets (200 random table sets)', () => {
    const rand = rng(42);
    for (let trial = 0; trial < 200; trial++) {
      const models = randomModels(rand);
      const groups = 1 + Math.floor(rand() * 5);
      const total = fp32Bytes(models);
      // Budgets from 1.05x to 2x of an even share: tight enough that big tables must split.
      const budgets = Array.from(
        { length: groups },
        () => Math.ceil((total / groups) * (1.05 + rand())) + 1024,
      );
      const plan = planShards(models, { groups, budgetBytes: budgets, replicas: 2 });
      validatePlan(JSON.parse(JSON.stringify(plan)), models, `trial ${trial}`);
      const loads = planLoads(plan, models, budgets);
      for (const l of loads)
        assert.ok(l.bytes <= l.budgetBytes, `trial ${trial}: ${JSON.stringify(l)}`);
      assert.ok(plan.groups.every((g) => g.replicas === 2));
    }
  });

  it('places equal tables evenly: RMC2 on two groups is 16 and 16 tables', () => {
    const models = [resolveModel('rmc2', { rowScale: 1, seed: 1 })];
    const plan = planShards(models, { groups: 2, budgetBytes: 2.5e9 });
    assert.deepEqual(
      plan.groups.map((g) => g.partitions.length),
      [16, 16],
    );
    const loads = planLoads(plan, models);
    assert.equal(loads[0]?.bytes, 16 * 500_000 * 64 * 4);
    assert.equal(loads[0]?.bytes, loads[1]?.bytes);
  });

  it('splits a table bigger than one shard row-wise over different groups', () => {
    const models = [
      model('big', [
        { rows: 1000, dim: 64, pool: 10, pooling: 'sum' },
        { rows: 100, dim: 64, pool: 10, pooling: 'sum' },
      ]),
    ];
    // 256,000 bytes for table 0; each shard holds 150,000.
    const plan = planShards(models, { groups: 3, budgetBytes: 150_000 });
    validatePlan(plan, models);
    const pieces = plan.groups.flatMap((g) =>
      g.partitions.filter((p) => p.table === 0).map((p) => ({ group: g.id, ...p })),
    );
    assert.equal(pieces.length, 2);
    assert.notEqual(pieces[0]?.group, pieces[1]?.group);
    assert.deepEqual(
      pieces.map((p) => [p.rowStart, p.rowEnd]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0)),
      [
        [0, 500],
        [500, 1000],
      ],
    );
  });

  it('gives a group at most one contiguous range of a table, even with more pieces than groups', () => {
    const models = [model('wide', [{ rows: 1000, dim: 64, pool: 10, pooling: 'sum' }])];
    for (const pieces of [3, 5, 7]) {
      const plan = planShards(models, {
        groups: 2,
        maxPartitionBytes: Math.ceil(256_000 / pieces),
      });
      validatePlan(plan, models);
      assert.deepEqual(
        plan.groups.map((g) => g.partitions.length),
        [1, 1],
        JSON.stringify(plan),
      );
    }
  });

  it('validatePlan rejects two ranges of one table in one group', () => {
    const models = [model('two', [{ rows: 10, dim: 4, pool: 1, pooling: 'sum' }])];
    const plan = {
      version: 1,
      groups: [
        {
          id: 'a',
          replicas: 1,
          partitions: [
            { model: 'two', table: 0, rowStart: 0, rowEnd: 3 },
            { model: 'two', table: 0, rowStart: 6, rowEnd: 10 },
          ],
        },
        { id: 'b', replicas: 1, partitions: [{ model: 'two', table: 0, rowStart: 3, rowEnd: 6 }] },
      ],
    };
    assert.throws(
      () => validatePlan(plan, models, 'p'),
      /p\.groups\[0\]\.partitions\[1\].*one contiguous range per table/,
    );
  });

  it('balances lookup traffic as well as bytes', () => {
    // Same bytes; table 0 is looked up 100x more often than each other table.
    const tables: TableSpec[] = [
      { rows: 1000, dim: 32, pool: 100, pooling: 'sum' },
      ...Array.from({ length: 4 }, () => ({
        rows: 1000,
        dim: 32,
        pool: 1,
        pooling: 'sum' as const,
      })),
    ];
    const plan = planShards([model('hot', tables)], { groups: 2 });
    const hot = plan.groups.find((g) => g.partitions.some((p) => p.table === 0));
    // The hot table's group takes fewer of the cold tables.
    assert.ok((hot?.partitions.length ?? 0) <= 2, JSON.stringify(plan));
  });

  it('sizes rows by the dtype the shards hold', () => {
    const models = [model('q', [{ rows: 1000, dim: 64, pool: 1, pooling: 'sum' }])];
    assert.throws(() => planShards(models, { groups: 1, budgetBytes: 100_000 }), /fit no group/);
    const plan = planShards(models, { groups: 1, budgetBytes: 100_000, dtype: 'int8' });
    assert.equal(plan.dtype, 'int8');
    assert.equal(planLoads(plan, models)[0]?.bytes, 1000 * 72);
  });

  it('names the table and the free bytes when the budgets cannot hold the tables', () => {
    const models = [resolveModel('rmc2', { rowScale: 0.01, seed: 1 })];
    assert.throws(
      () => planShards(models, { groups: 2, budgetBytes: 1_000_000 }),
      (err: Error) =>
        /budgetBytes/.test(err.message) &&
        /rmc2 table \d+ rows/.test(err.message) &&
        /free bytes per group/.test(err.message),
    );
    assert.throws(() => planShards(models, { groups: 0 }), /groups/);
    assert.throws(() => planShards(models, { groups: 2, budgetBytes: [1e9] }), /2 groups/);
    assert.throws(() => planShards(models, { groups: 1, replicas: 0 }), /replicas/);
  });

  it('planTableWise keeps tables whole', () => {
    const models = [resolveModel('rmc1', { rowScale: 0.001, seed: 1 })];
    const plan = planTableWise(models, 3);
    validatePlan(plan, models);
    for (const g of plan.groups)
      for (const p of g.partitions)
        assert.equal(p.rowEnd - p.rowStart, models[0]?.tables[p.table]?.rows);
  });

  it('validatePlan rejects a plan with an unknown dtype, naming the field', () => {
    const models = [resolveModel('rmc1', { rowScale: 0.001, seed: 1 })];
    const plan = { ...planTableWise(models, 1), dtype: 'bf16' };
    assert.throws(() => validatePlan(plan, models, 'plan.json'), /plan\.json\.dtype/);
  });
});
