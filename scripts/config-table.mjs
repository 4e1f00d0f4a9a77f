#!/usr/bin/env node
// Prints the configuration of every service as Markdown tables (for the README), from the
// specs the services themselves read (@recmesh/config describeConfig).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { commonSpec, describeConfig } = require('@recmesh/config');
const services = {
  'embedding-shard': ['@recmesh/embedding-shard/dist/config.js', 'shardSpec'],
  'dense-worker': ['@recmesh/dense-worker/dist/config.js', 'workerSpec'],
  orchestrator: ['@recmesh/orchestrator/dist/config.js', 'orchestratorSpec'],
  'carbon-ledger': ['@recmesh/carbon-ledger/dist/config.js', 'ledgerSpec'],
};

const fmt = (v) =>
  v === undefined ? '' : Array.isArray(v) ? (v.length ? `\`${v.join(',')}\`` : '') : `\`${v}\``;
const table = (spec) =>
  [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...describeConfig(spec).map((r) => `| \`${r.name}\` | ${fmt(r.default)} | ${r.doc} |`),
  ].join('\n');

console.log(`### Every service\n\n${table(commonSpec)}\n`);
for (const [name, [path, key]] of Object.entries(services)) {
  console.log(`### ${name}\n\n${table(require(path)[key])}\n`);
}
