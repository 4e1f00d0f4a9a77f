#!/usr/bin/env node
// Builds the native gather-reduce addon with node-gyp (npm puts its own node-gyp on PATH for
// package scripts and passes its nodedir setting). Never fails the install or the build: where
// the addon cannot be built, the plugin reports `typescript-fallback` and says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const status = join(root, 'build', 'native-build.log');

// npm sets npm_config_node_gyp for its scripts; run by hand, try the node-gyp npm ships with.
const bundled = join(
  dirname(process.execPath),
  '..',
  'lib',
  'node_modules',
  'npm',
  'node_modules',
  'node-gyp',
  'bin',
  'node-gyp.js',
);
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
// Node's own headers, when its installation has them, spare node-gyp a download.
const prefix = join(dirname(process.execPath), '..');
const localHeaders =
  process.env.npm_config_nodedir === undefined &&
  existsSync(join(prefix, 'include', 'node', 'node_api.h'))
    ? [`--nodedir=${prefix}`]
    : [];
const [command, args] =
  gyp !== undefined && gyp !== ''
    ? [process.execPath, [gyp, 'rebuild', ...localHeaders]]
    : ['node-gyp', ['rebuild', ...localHeaders]];
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
  // The compiler's own error lines, not node-gyp's closing boilerplate.
  const lines = output.trim().split('\n');
  const errors = lines.filter(
    (l) =>
      /error|not found|ENOENT/i.test(l) &&
      !/^gyp ERR! (node|cwd|command|System|\$npm|not ok)/.test(l),
  );
  const tail = (errors.length > 0 ? errors : lines).slice(-5).join('\n  ');
  process.stderr.write(
    `recmesh: the native gather-reduce kernel could not be built; the cpu backend will use the ` +
      `TypeScript fallback (much slower). node-gyp said:\n  ${tail}\n  (full log: ${status})\n`,
  );
}
