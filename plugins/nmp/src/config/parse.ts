import { readFileSync } from 'node:fs';
import { RecmeshError } from '@recmesh/errors';
import type { BackendOptions } from '@recmesh/backend';
import { DEFAULT_NMP_CONFIG, type NmpConfig } from './defaults';
import { nmpConfigSchema } from './schema';

/** Any subset of the configuration; what is left out keeps its default. */
export type NmpConfigInput = {
  readonly [K in keyof NmpConfig]?: NmpConfig[K] extends object
    ? Partial<NmpConfig[K]>
    : NmpConfig[K];
};

function render(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

function fail(source: string, path: string, value: unknown, why: string): RecmeshError {
  return new RecmeshError('config', `${source}: ${path} = ${render(value)}: ${why}`, {
    field: `${source}.${path}`,
    value,
  });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Defaults with `input` laid over them, one level of sections deep. */
function merge(input: object, source: string): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(DEFAULT_NMP_CONFIG);
  for (const [key, value] of Object.entries(input)) {
    const base = out[key];
    if (!(key in out)) {
      throw fail(source, key, value, `unknown field; known: ${Object.keys(out).join(', ')}`);
    }
    if (typeof base === 'object' && base !== null) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw fail(source, key, value, 'must be an object');
      }
      out[key] = { ...base, ...value };
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Relations between fields that each field's own range cannot state. */
function checkRelations(c: NmpConfig, source: string): void {
  const d = c.dram;
  if (d.tRAS < d.tRCD) throw fail(source, 'dram.tRAS', d.tRAS, `must be at least tRCD (${d.tRCD})`);
  if (d.tCCD_L < d.tCCD_S) {
    throw fail(source, 'dram.tCCD_L', d.tCCD_L, `must be at least tCCD_S (${d.tCCD_S})`);
  }
  if (d.tRRD_L < d.tRRD_S) {
    throw fail(source, 'dram.tRRD_L', d.tRRD_L, `must be at least tRRD_S (${d.tRRD_S})`);
  }
  if (d.tCCD_S < d.burstLength / 2) {
    throw fail(source, 'dram.tCCD_S', d.tCCD_S, `must cover one burst (${d.burstLength / 2} tCK)`);
  }
  if (d.tFAW < d.tRRD_S) throw fail(source, 'dram.tFAW', d.tFAW, `must be at least tRRD_S`);
  if (d.columns % d.burstLength !== 0) {
    throw fail(source, 'dram.columns', d.columns, `must be a multiple of burstLength`);
  }
  const p = c.power;
  if (p.IDD3N < p.IDD2N) throw fail(source, 'power.IDD3N', p.IDD3N, 'must be at least IDD2N');
  if (p.IDD4R < p.IDD3N) throw fail(source, 'power.IDD4R', p.IDD4R, 'must be at least IDD3N');
  if (p.tREFI <= p.tRFC) throw fail(source, 'power.tREFI', p.tREFI, 'must exceed tRFC');
}

/**
 * Validates a (partial) configuration and returns the full one. Every error is a `config`
 * RecmeshError naming `source`, the field's path and its value.
 */
export function parseNmpConfig(input: unknown, source = 'nmp config'): NmpConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw fail(source, '(root)', input, 'must be a JSON object');
  }
  const merged = merge(input, source);
  const parsed = nmpConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
    const where = [...path, ...keys.slice(0, 1)].map(String).join('.');
    const why = keys.length > 0 ? 'unknown field' : (issue?.message ?? 'invalid');
    throw fail(source, where, valueAt(merged, [...path, ...keys.slice(0, 1)]), why);
  }
  const config = parsed.data as NmpConfig;
  checkRelations(config, source);
  return config;
}

/**
 * The configuration a service passes (loadBackend's options): JSON text, or `@path` of a JSON
 * file; none gives the defaults.
 */
export function configFromOptions(options: BackendOptions | undefined): NmpConfig {
  const source = options?.source ?? 'nmp config';
  const raw = options?.config?.trim();
  if (raw === undefined || raw === '') return parseNmpConfig({}, source);
  let text = raw;
  let where = source;
  if (raw.startsWith('@')) {
    const path = raw.slice(1);
    where = `${source} (${path})`;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new RecmeshError(
        'config',
        `${source} = ${render(raw)}: cannot read the file: ${(cause as Error).message}`,
        { field: source, value: raw, cause },
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new RecmeshError(
      'config',
      `${where}: not valid JSON: ${(cause as Error).message} (${render(text.slice(0, 60))})`,
      { field: source, value: raw, cause },
    );
  }
  return parseNmpConfig(parsed, where);
}
