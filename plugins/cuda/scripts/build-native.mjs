#!/usr/bin/env node
// Builds the CUDA addon (build/Release/recmesh_cuda.node) with nvcc, when nvcc is there. Never
// fails the install or the build: where the addon is not built, build/native-build.json says why,
// and the plugin reports itself unavailable with that reason.
//
// Environment (all optional):
//   RECMESH_CUDA_BUILD=skip   do not build (the plugin then reports "no addon: ... skipped")
//   RECMESH_CUDA_ARCHS=90     SM versions to build cubins for, separated by ; or , (default 90:
//                             H100/H200); PTX of the highest is added so newer GPUs JIT it
//   CUDA_HOME / CUDA_PATH     toolkit to use before nvcc on PATH and /usr/local/cuda
//   RECMESH_CUDA_NVCC         nvcc to use, overriding the search
// Arguments:
//   --out DIR                 build into DIR instead of the package's build/
//   --emulate                 build the same sources with the C++ compiler ($CXX, else g++ or
//                             c++) against native/emulation, which runs the kernels on CPU
//                             threads, into build/emulation/: for checking results without a GPU
//
// The CUDA runtime is linked statically (nvcc's default), so the addon loads on machines without
// a driver and says so at run time instead of failing to load.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const emulate = process.argv.includes('--emulate');
const outArg = process.argv.indexOf('--out');
const buildDir =
  outArg > 0 ? process.argv[outArg + 1] : join(root, 'build', ...(emulate ? ['emulation'] : []));
const statusPath = join(buildDir, 'native-build.json');
const logPath = join(buildDir, 'native-build.log');
const addonPath = join(buildDir, 'Release', 'recmesh_cuda.node');
const started = Date.now();

function record(status) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(
    statusPath,
    `${JSON.stringify({ ...status, ms: Date.now() - started }, null, 2)}\n`,
  );
}

function skip(reason) {
  rmSync(addonPath, { force: true });
  record({ built: false, reason });
  process.stderr.write(
    `recmesh: the CUDA addon was not built (${reason}); the cuda backend will report itself unavailable.\n`,
  );
  process.exit(0);
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function findNvcc() {
  const env = process.env;
  if (env.RECMESH_CUDA_NVCC)
    return existsSync(env.RECMESH_CUDA_NVCC) ? env.RECMESH_CUDA_NVCC : undefined;
  const homes = [env.CUDA_HOME, env.CUDA_PATH].filter(Boolean).map((h) => join(h, 'bin', 'nvcc'));
  return [...homes, onPath('nvcc'), '/usr/local/cuda/bin/nvcc'].find((c) => c && existsSync(c));
}

/** Node's C headers (node_api.h): npm's nodedir, else the running Node's own installation. */
function findNodeHeaders() {
  const dirs = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    join(dirname(process.execPath), '..', 'include', 'node'),
  ].filter(Boolean);
  return dirs.find((d) => existsSync(join(d, 'node_api.h')));
}

function archFlags(spec) {
  const archs = spec
    .split(/[;,\s]+/)
    .filter(Boolean)
    .map((a) => a.replace(/^(sm_|compute_)/, ''));
  if (archs.length === 0 || !archs.every((a) => /^\d+[a-z]?$/.test(a)))
    skip(`RECMESH_CUDA_ARCHS = ${JSON.stringify(spec)} is not a list of SM versions such as 80;90`);
  const flags = archs.flatMap((a) => ['-gencode', `arch=compute_${a},code=sm_${a}`]);
  const newest = archs[archs.length - 1];
  flags.push('-gencode', `arch=compute_${newest},code=compute_${newest}`);
  return { flags, label: `${archs.map((a) => `sm_${a}`).join('+')}+compute_${newest}` };
}

/** The files of `dirs` whose names match, sorted. */
function files(dirs, pattern) {
  return dirs.flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => pattern.test(f))
      .sort()
      .map((f) => join(root, dir, f)),
  );
}

/** Compiles unless the sources, the flags and the compiler are those of the last good build. */
function compile(compiler, version, args, facts) {
  const stamp = createHash('sha256');
  for (const file of files(['native/kernels', 'native/addon', 'native/emulation'], /\.(cu|cc|h)$/))
    stamp.update(relative(root, file)).update(readFileSync(file));
  stamp.update(JSON.stringify([compiler, version, args.map((a) => a.split(root).join('.'))]));
  const digest = stamp.digest('hex');
  if (existsSync(addonPath) && existsSync(statusPath)) {
    try {
      const previous = JSON.parse(readFileSync(statusPath, 'utf8'));
      if (previous.built === true && previous.stamp === digest) process.exit(0);
    } catch {
      // an unreadable record: build again
    }
  }
  mkdirSync(dirname(addonPath), { recursive: true });
  const result = spawnSync(compiler, args, { cwd: root, encoding: 'utf8', timeout: 15 * 60_000 });
  const output = `$ ${compiler} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  writeFileSync(logPath, output);
  if (result.status !== 0) {
    const errors = output.split('\n').filter((l) => /error/i.test(l));
    const first = (errors[0] ?? output.trim().split('\n').pop() ?? '').trim();
    skip(`${basename(compiler)} ${version} failed: ${first} (log: ${logPath})`);
  }
  record({ built: true, compiler, cudaVersion: version, ...facts, stamp: digest, log: logPath });
  const what = facts.archs === undefined ? '' : ` for ${facts.archs}`;
  process.stdout.write(
    `recmesh: CUDA addon built with ${basename(compiler)} ${version}${what} in ${Date.now() - started} ms\n`,
  );
  process.exit(0);
}

function buildEmulated(headers) {
  const cxx = process.env.CXX || onPath('g++') || onPath('c++');
  if (cxx === undefined) skip('no C++ compiler for the emulated build ($CXX, g++ or c++ on PATH)');
  compile(
    cxx,
    'emulation',
    [
      '-std=c++20',
      '-O2',
      '-shared',
      '-fPIC',
      '-fvisibility=hidden',
      '-pthread',
      '-Wall',
      '-Wextra',
      '-Wno-unknown-pragmas',
      '-DRECMESH_CUDA_EMULATION',
      '-DRECMESH_CUDA_ARCHS="emulation"',
      `-I${join(root, 'native', 'emulation')}`,
      `-I${headers}`,
      '-x',
      'c++',
      ...files(['native/kernels', 'native/addon', 'native/emulation'], /\.(cu|cc)$/),
      '-o',
      addonPath,
      '-ldl',
    ],
    { emulated: true },
  );
}

const headers = findNodeHeaders();
if (headers === undefined)
  skip(
    `Node's headers (node_api.h) were not found next to ${process.execPath}; set npm_config_nodedir`,
  );
if (emulate) buildEmulated(headers);

if ((process.env.RECMESH_CUDA_BUILD ?? '').toLowerCase() === 'skip')
  skip('skipped: RECMESH_CUDA_BUILD=skip');
const nvcc = findNvcc();
if (nvcc === undefined)
  skip(
    'nvcc was not found (looked at RECMESH_CUDA_NVCC, CUDA_HOME, CUDA_PATH, PATH and /usr/local/cuda/bin)',
  );
const version = spawnSync(nvcc, ['--version'], { encoding: 'utf8' });
const cudaVersion = /release ([\d.]+)/.exec(version.stdout ?? '')?.[1];
if (version.status !== 0 || cudaVersion === undefined)
  skip(
    `${nvcc} --version failed: ${(version.stderr || String(version.error)).trim().split('\n')[0]}`,
  );
const { flags: gencode, label } = archFlags(process.env.RECMESH_CUDA_ARCHS ?? '90');
compile(
  nvcc,
  cudaVersion,
  [
    '-std=c++17',
    '-O3',
    '-shared',
    '-Xcompiler',
    '-fPIC,-fvisibility=hidden,-Wall,-Wextra',
    '-cudart',
    'static',
    `-I${headers}`,
    `-DRECMESH_CUDA_ARCHS="${label}"`,
    ...gencode,
    ...files(['native/kernels', 'native/addon'], /\.(cu|cc)$/),
    '-o',
    addonPath,
  ],
  { archs: label },
);
