// The build switch: the addon is built where nvcc is found and skipped cleanly (exit 0, reason
// recorded) everywhere else, and the plugin's loader turns the record into an "no addon" reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAddon, type BuildStatus } from '@recmesh/plugin-cuda';

const SCRIPT = join(__dirname, '..', 'scripts', 'build-native.mjs');
const PACKAGE_BUILD = join(__dirname, '..', 'build');

/** Runs the build script into a fresh folder with `env` laid over this environment. */
function buildInto(env: Record<string, string>) {
  const out = mkdtempSync(join(tmpdir(), 'recmesh-cuda-build-'));
  const result = spawnSync(process.execPath, [SCRIPT, '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  const status = JSON.parse(readFileSync(join(out, 'native-build.json'), 'utf8')) as BuildStatus;
  return { out, code: result.status, stderr: result.stderr, status };
}

/** An nvcc that reports CUDA 13.0 and fails every compilation. */
function failingNvcc(): string {
  const nvcc = join(mkdtempSync(join(tmpdir(), 'recmesh-fake-nvcc-')), 'nvcc');
  writeFileSync(
    nvcc,
    '#!/bin/sh\n' +
      'if [ "$1" = "--version" ]; then echo "Cuda compilation tools, release 13.0, V13.0.88"; exit 0; fi\n' +
      'echo "addon.cc(1): error: this nvcc always fails" >&2\nexit 1\n',
  );
  chmodSync(nvcc, 0o755);
  return nvcc;
}

describe('build switch', () => {
  it('the package build recorded whether the addon was built, and why not', () => {
    const status = JSON.parse(
      readFileSync(join(PACKAGE_BUILD, 'native-build.json'), 'utf8'),
    ) as BuildStatus;
    const load = loadAddon();
    if (status.built) {
      assert.ok(load.ok, load.ok ? '' : load.reason);
      assert.equal(load.addon.probe().runtimeVersion, status.cudaVersion);
      console.log(`# addon built with nvcc ${status.cudaVersion} for ${status.archs}`);
    } else {
      assert.equal(load.ok, false);
      assert.match(
        load.ok ? '' : load.reason,
        /^no addon: the CUDA addon was not built at install: ./,
      );
      console.log(`# addon not built here: ${status.reason}`);
    }
  });

  it('without nvcc the build is skipped, exits 0 and says why', () => {
    const { out, code, stderr, status } = buildInto({ RECMESH_CUDA_NVCC: '/nonexistent/nvcc' });
    assert.equal(code, 0);
    assert.equal(status.built, false);
    assert.match(status.reason ?? '', /nvcc was not found/);
    assert.match(stderr, /the CUDA addon was not built \(nvcc was not found/);
    const load = loadAddon(out);
    assert.equal(load.ok, false);
    assert.match(
      load.ok ? '' : load.reason,
      /^no addon: the CUDA addon was not built at install: nvcc was not found/,
    );
  });

  it('RECMESH_CUDA_BUILD=skip skips it on purpose', () => {
    const { code, status } = buildInto({ RECMESH_CUDA_BUILD: 'skip' });
    assert.equal(code, 0);
    assert.deepEqual([status.built, status.reason], [false, 'skipped: RECMESH_CUDA_BUILD=skip']);
  });

  it('an nvcc that fails is a skip with its first error, not a failed install', () => {
    const { out, code, status } = buildInto({ RECMESH_CUDA_NVCC: failingNvcc() });
    assert.equal(code, 0);
    assert.equal(status.built, false);
    assert.match(
      status.reason ?? '',
      /^nvcc 13\.0 failed: addon\.cc\(1\): error: this nvcc always fails/,
    );
    assert.equal(loadAddon(out).ok, false);
  });

  it('a bad RECMESH_CUDA_ARCHS is a skip that names it', () => {
    const { code, status } = buildInto({
      RECMESH_CUDA_NVCC: failingNvcc(),
      RECMESH_CUDA_ARCHS: 'hopper',
    });
    assert.equal(code, 0);
    assert.match(status.reason ?? '', /RECMESH_CUDA_ARCHS = "hopper"/);
  });

  it('a missing addon without a build record says how to build it', () => {
    const load = loadAddon(mkdtempSync(join(tmpdir(), 'recmesh-cuda-empty-')));
    assert.equal(load.ok, false);
    assert.match(
      load.ok ? '' : load.reason,
      /^no addon: .*recmesh_cuda\.node is missing; run `npm rebuild @recmesh\/plugin-cuda`/,
    );
  });

  it('an addon that does not load says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recmesh-cuda-broken-'));
    mkdirSync(join(dir, 'Release'));
    writeFileSync(join(dir, 'Release', 'recmesh_cuda.node'), 'not a shared object');
    const load = loadAddon(dir);
    assert.equal(load.ok, false);
    assert.match(load.ok ? '' : load.reason, /^no addon: .*recmesh_cuda\.node did not load \(/);
  });
});
