// The standalone harness (CMake, no Node) built against the CPU emulator of the CUDA runtime and
// run: its parity checks of every dtype, pooling mode and dense graph pass with the same kernel
// sources the GPU runs. Skipped, with the reason, where CMake or a C++ compiler is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const PLUGIN = join(__dirname, '..');
const BUILD = join(PLUGIN, 'build', 'emulation', 'harness');

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10 * 60_000 });
  return {
    ok: result.status === 0,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}`,
  };
}

const cmake = run('cmake', ['--version']);
const skip = cmake.ok ? false : `cmake is not here: ${cmake.output.trim().split('\n')[0]}`;
if (skip) console.log(`# emulated harness skipped: ${skip}`);

interface Report {
  readonly available: boolean;
  readonly probe: { readonly devices: readonly { readonly name: string }[] };
  readonly parity: {
    readonly pass: boolean;
    readonly gather: readonly {
      readonly dtype: string;
      readonly mode: string;
      readonly weighted: boolean;
      readonly pass: boolean;
    }[];
    readonly faults: readonly { readonly pass: boolean }[];
    readonly dense: readonly {
      readonly model: string;
      readonly tiles: string;
      readonly pass: boolean;
    }[];
  };
}

describe('harness on the CPU emulator', { skip }, () => {
  it('builds with CMake and passes its parity checks', () => {
    const configure = run('cmake', [
      '-S',
      join(PLUGIN, 'harness'),
      '-B',
      BUILD,
      '-DRECMESH_CUDA_EMULATION=ON',
    ]);
    assert.ok(configure.ok, configure.output);
    const build = run('cmake', ['--build', BUILD, '-j', '2']);
    assert.ok(build.ok, build.output);
    const json = join(BUILD, 'report.json');
    const harness = run(join(BUILD, 'recmesh-cuda-harness'), ['--no-bench', '--json', json]);
    assert.ok(harness.ok, harness.output);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.equal(report.available, true);
    assert.match(report.probe.devices[0]?.name ?? '', /emulator/);
    const { parity } = report;
    assert.equal(parity.pass, true);
    // Every dtype x mode x weighting, each through the kernel and the lanes.
    const combos = new Set(parity.gather.map((c) => `${c.dtype} ${c.mode} ${c.weighted}`));
    assert.equal(combos.size, 3 * 2 * 2);
    assert.ok(parity.gather.every((c) => c.pass) && parity.faults.every((c) => c.pass));
    assert.deepEqual(
      new Set(parity.dense.map((c) => c.tiles)),
      new Set(['auto', '64x64', '128x128']),
    );
    assert.ok(parity.dense.every((c) => c.pass));
  });
});
