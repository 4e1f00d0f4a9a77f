#!/usr/bin/env node
// Runs every *.test.ts of the repository (or of the folders given) in one `node --test` run, so
// that there is one summary. TypeScript is loaded by tsx; packages resolve to their built dist.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const skip = new Set(['node_modules', 'dist', 'build', '.turbo', '.git']);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const starts =
  roots.length > 0
    ? roots.map((r) => resolve(r))
    : ['packages', 'plugins', 'services', 'test'].map((d) => join(root, d));
const files = starts.flatMap((d) => (statSync(d).isDirectory() ? collect(d, []) : [d])).sort();
if (files.length === 0) {
  console.error('no *.test.ts files found under', starts.map((s) => relative(root, s)).join(', '));
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-timeout=600000',
    ...passthrough,
    ...files,
  ],
  {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
  },
);
process.exit(result.status ?? 1);
