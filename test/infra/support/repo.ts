import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { commonSpec, describeConfig, type ConfigSpec } from '@recmesh/config';
import { parseAllDocuments, parse } from 'yaml';

export const ROOT = resolve(__dirname, '../../..');
export const INFRA = join(ROOT, 'infra');
export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** recmesh's deployable services: one image, one Dockerfile, one workspace each. */
export const SERVICES = [
  'orchestrator',
  'embedding-shard',
  'dense-worker',
  'carbon-ledger',
] as const;
export type Service = (typeof SERVICES)[number];
export const imageOf = (service: string) => `recmesh/${service}`;
/** The Prometheus /metrics port of every image (OpenTelemetry's Prometheus exporter default). */
export const METRICS_PORT = 9464;

/**
 * Variables that manifests may set before the code that reads them lands, each with the reason.
 * A pending variable that a service now declares is fine (the entry can go).
 */
export const PENDING: Readonly<Record<string, string>> = {};

/** Every variable `service` reads: @recmesh/config's common ones and its own src/config.ts. */
export function declaredVariables(service: string): Map<string, unknown> {
  const dir = dirname(require.resolve(`@recmesh/${service}/package.json`));
  // The built config module: the service's spec is its one export.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(dir, 'dist/config.js')) as Record<string, ConfigSpec>;
  const specs = Object.values(module);
  if (specs.length !== 1) throw new Error(`${service}: dist/config.js should export one spec`);
  const vars = [...describeConfig(commonSpec), ...describeConfig(specs[0] as ConfigSpec)];
  return new Map(vars.map((v) => [v.name, v.default]));
}

/** Why kubectl (with its built-in kustomize) cannot render here, or undefined. */
export function whyNoKubectl(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0)
    return 'kubectl is not on PATH: it renders the kustomizations (kubectl kustomize)';
  return undefined;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** `kubectl kustomize <dir>`, parsed: every object of the rendered manifest. */
export function render(dir: string): K8sObject[] {
  const r = spawnSync('kubectl', ['kustomize', join(INFRA, 'k8s', dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
}

/** infra/compose.yaml, with its YAML anchors and merge keys resolved. */
export function composeFile(): Record<string, unknown> & {
  services: Record<string, ComposeService>;
} {
  return parse(read('infra/compose.yaml'), { merge: true }) as ReturnType<typeof composeFile>;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
