#!/usr/bin/env node
// Builds the native gather-reduce addon with node-gyp (npm puts its own node-gyp on PATH for
// package scripts and passes its nodedir setting). Never fails the install or the build: where
// the addon cannot be built, the plugin reports `typescript-fallback` and says why.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const status = join(root, 'build', 'native-build.log');

const gyp = process.env.npm_config_node_gyp;
const [command, args] =
  gyp !== undefined && gyp !== ''
    ? [process.execPath, [gyp, 'rebuild']]
    : ['node-gyp', ['rebuild']];
const started = Date.now();
const result = spawnSync(command, args, {
  cwd: root,
  encoding: 'utf8',
  shell: process.platform === 'win32',
});
const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
mkdirSync(dirname(status), { recursive: true });
writeFileSync(status, output);
if (result.status === 0) {
  process.stdout.write(
    `recmesh: native gather-reduce kernel built in ${Date.now() - started} ms\n`,
  );
} else {
  rmSync(join(root, 'build', 'Release'), { recursive: true, force: true });
  const tail = output.trim().split('\n').slice(-5).join('\n  ');
  process.stderr.write(
    `recmesh: the native gather-reduce kernel could not be built; the cpu backend will use the ` +
      `TypeScript fallback (much slower). node-gyp said:\n  ${tail}\n  (full log: ${status})\n`,
  );
}
