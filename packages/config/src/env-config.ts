import { RecmeshError } from '@recmesh/errors';
import type { z } from 'zod';

/** One environment variable: its name, its schema (with default) and what it is for. */
export interface EnvVar<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  readonly doc: string;
}

export type ConfigSpec = Record<string, EnvVar<unknown>>;
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never;
};

export function env<T>(name: string, schema: z.ZodType<T>, doc: string): EnvVar<T> {
  return { name, schema, doc };
}

/**
 * Reads every variable of `spec` from `source` once, at start-up. The first invalid one throws a
 * `config` error naming the variable, the value and what was expected.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  source: Record<string, string | undefined> = process.env,
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(spec)) {
    const raw = source[variable.name];
    const value = raw === undefined || raw === '' ? undefined : raw;
    const parsed = variable.schema.safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues.map((issue) => issue.message).join('; ');
      throw new RecmeshError(
        'config',
        `${variable.name} = ${JSON.stringify(raw ?? null)}: ${why} (${variable.doc})`,
        { field: variable.name, value: raw },
      );
    }
    out[key] = parsed.data;
  }
  return out as ConfigOf<S>;
}

/** `NAME  default  doc` lines, for --help and the README. */
export function describeConfig(
  spec: ConfigSpec,
): { name: string; default: unknown; doc: string }[] {
  return Object.values(spec).map((variable) => {
    const parsed = variable.schema.safeParse(undefined);
    return {
      name: variable.name,
      default: parsed.success ? parsed.data : undefined,
      doc: variable.doc,
    };
  });
}
