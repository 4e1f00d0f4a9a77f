// The configuration reference in docs/ is generated from the specs the services read; this
// keeps it true when a variable is added or changed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '../..');

describe('docs', () => {
  it('docs/configuration.md lists every variable the services read, as scripts/config-table.mjs prints them', () => {
    const generated = execFileSync(process.execPath, [join(root, 'scripts/config-table.mjs')], {
      encoding: 'utf8',
    });
    const doc = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
    assert.ok(
      doc.includes(generated.trim()),
      'docs/configuration.md is stale: regenerate it with `node scripts/update-docs.mjs`',
    );
  });
});
