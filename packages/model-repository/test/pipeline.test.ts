// Pipeline files (recmesh.pipeline/v1): checked field by field, errors naming the file, the
// field and the value; a repository scan tells pipelines from models; top-k stage semantics.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  parsePipeline,
  readPipeline,
  scanRepository,
  topK,
  writePipeline,
  type PipelineInput,
} from '@recmesh/model-repository';

const good: PipelineInput = {
  format: 'recmesh.pipeline/v1',
  name: 'two-stage',
  version: 1,
  stages: [
    { model: 'rm-small', keep: 256 },
    { model: 'rm-large', keep: 64, backend: 'cpu' },
  ],
};

describe('pipeline files', () => {
  it('reads a good one, with backend auto by default', () => {
    const p = parsePipeline(good, 'p.json');
    assert.deepEqual(
      p.stages.map((s) => [s.model, s.keep, s.backend]),
      [
        ['rm-small', 256, 'auto'],
        ['rm-large', 64, 'cpu'],
      ],
    );
  });

  const bad: [string, unknown, RegExp][] = [
    ['format', { ...good, format: 'x' }, /p\.json: format = "x"/],
    ['no stages', { ...good, stages: [] }, /stages = \[\]/],
    ['keep', { ...good, stages: [{ model: 'a', keep: 0 }] }, /stages\[0\]\.keep = 0/],
    [
      'backend',
      { ...good, stages: [{ model: 'a', keep: 5, backend: 'tpu' }] },
      /stages\[0\]\.backend = "tpu"/,
    ],
    ['model', { ...good, stages: [{ model: '../x', keep: 5 }] }, /stages\[0\]\.model = "\.\.\/x"/],
    ['unknown field', { ...good, extra: 1 }, /extra|Unrecognized/],
    [
      'widening stage',
      {
        ...good,
        stages: [
          { model: 'a', keep: 10 },
          { model: 'b', keep: 20 },
        ],
      },
      /stages\[1\]\.keep = 20: more than stage 0 keeps \(10\)/,
    ],
  ];
  for (const [what, input, error] of bad)
    it(`refuses ${what}, naming the file, field and value`, () => {
      assert.throws(() => parsePipeline(input, 'p.json'), error);
    });

  it('lives in the repository beside models; a scan tells them apart', () => {
    const root = mkdtempSync(join(tmpdir(), 'recmesh-pipelines-'));
    writePipeline(root, good);
    mkdirSync(join(root, 'rm-small', '1'), { recursive: true });
    writeFileSync(join(root, 'rm-small', '1', 'manifest.json'), '{}');
    const scan = scanRepository(root);
    assert.deepEqual([...scan.pipelines.keys()], ['two-stage']);
    assert.deepEqual([...scan.models.keys()], ['rm-small']);
    const entry = scan.pipelines.get('two-stage')?.[0];
    assert.ok(entry !== undefined);
    assert.equal(readPipeline(entry).stages.length, 2);
    assert.throws(
      () => readPipeline({ ...entry, version: 2 }),
      /version = 1: the version's folder is 2/,
    );
  });
});

describe('top k', () => {
  it('equals a full sort (score descending, position ascending) on random scores with ties', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const n of [1, 5, 64, 1000]) {
      const scores = Float32Array.from({ length: n }, () => Math.floor(next() * 20) / 20);
      const sorted = Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
      );
      for (const k of [1, 3, 64, n, n + 5])
        assert.deepEqual(Array.from(topK(scores, k)), sorted.slice(0, k), `n ${n} k ${k}`);
    }
  });
});
