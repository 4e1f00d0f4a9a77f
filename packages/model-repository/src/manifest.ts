import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { RecmeshError } from '@recmesh/errors';
import type { Architecture } from '@recmesh/models';

/** Format tag of a manifest this version of recmesh reads and writes. */
export const MANIFEST_FORMAT = 'recmesh.model/v1';

/** A model name: a folder name that is also safe in NATS subjects and metric labels. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const positiveInt = z.number().int().positive();
const widths = z.array(positiveInt).min(1);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex (64 digits)');
const file = z
  .string()
  .min(1)
  .refine((f) => !f.includes('..') && !f.startsWith('/'), 'a path inside the version folder');

const architecture = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('dlrm'),
    bottomMlp: widths,
    topMlp: widths,
    interaction: z.enum(['cat', 'dot', 'dot-self']),
  }),
  z.strictObject({ kind: z.literal('ncf'), mlp: widths, predict: widths }),
  z.strictObject({ kind: z.literal('wide-deep'), deepMlp: widths }),
  z.strictObject({ kind: z.literal('mt-wide-deep'), sharedMlp: widths, taskMlp: widths }),
  z.strictObject({
    kind: z.literal('din'),
    behaviours: positiveInt,
    attentionMlp: z.array(positiveInt),
    topMlp: widths,
  }),
  z.strictObject({
    kind: z.literal('dien'),
    behaviours: positiveInt,
    hidden: positiveInt,
    topMlp: widths,
  }),
]);

/** Element type of a table file: float32, float16, or FBGEMM's fused int8 rows. */
export const TABLE_DTYPES = ['float32', 'float16', 'int8-rowwise'] as const;
export type TableDtype = (typeof TABLE_DTYPES)[number];

const table = z.strictObject({
  /** .npy file, or safetensors file with `tensor`. */
  file,
  tensor: z.string().min(1).optional(),
  rows: positiveInt,
  dim: positiveInt,
  dtype: z.enum(TABLE_DTYPES).default('float32'),
  pooling: z.enum(['sum', 'mean']).default('sum'),
  /** Mean ids per lookup, for load generators and the sharding planner. */
  pool: positiveInt.default(1),
  sha256: sha256.optional(),
});

const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().regex(MODEL_NAME, 'letters, digits, _ . - (starting with a letter or digit)'),
  version: positiveInt,
  description: z.string().optional(),
  architecture,
  denseFeatures: z.number().int().min(0),
  dim: positiveInt,
  tables: z.array(table).min(1),
  dense: z.strictObject({
    file,
    sha256: sha256.optional(),
    /** Input names of the dense graph: float32 [batch][denseFeatures] and [tables][batch][dim]. */
    inputs: z
      .strictObject({ dense: z.string().min(1), embeddings: z.string().min(1) })
      .default({ dense: 'dense', embeddings: 'emb' }),
    /** Output name: float32 [batch][tasks] (or [batch] with one task). */
    output: z.string().min(1).default('prob'),
  }),
  tasks: z
    .array(z.strictObject({ name: z.string().min(1), weight: z.number().nonnegative() }))
    .min(1)
    .default([{ name: 'click', weight: 1 }]),
  /** Medium p95 latency target, ms; low and high are 50% below and above (DeepRecSys). */
  p95TargetMs: z.number().positive().default(100),
  /** Where the model came from (an importer fills it in); informational. */
  source: z.record(z.string(), z.unknown()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestTable = Manifest['tables'][number];
/** A manifest as written, before defaults are filled in. */
export type ManifestInput = z.input<typeof manifestSchema>;

/** An error about a model repository file: the file named, and what is wrong. */
export function repositoryError(path: string, what: string, cause?: unknown): RecmeshError {
  return new RecmeshError('failed_precondition', `${path}: ${what}`, { field: path, cause });
}

/** The parsed JSON of `file`; a missing or unparsable file is an error naming it. */
export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw repositoryError(
      file,
      existsSync(file) ? `not valid JSON: ${(cause as Error).message}` : 'missing',
      cause,
    );
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** The first problem zod found in `input`, as an error naming the file, the field and the value. */
export function schemaError(
  where: string,
  what: string,
  error: z.ZodError,
  input: unknown,
): RecmeshError {
  const issue = error.issues[0];
  const field = pathOf(issue?.path ?? []);
  let value: unknown = input;
  for (const key of issue?.path ?? []) value = (value as Record<PropertyKey, unknown>)?.[key];
  return repositoryError(
    where,
    `${field === '' ? what : field} = ${JSON.stringify(value) ?? 'undefined'}: ${issue?.message ?? 'invalid'}`,
  );
}

/**
 * Checks a parsed manifest.json: its fields (errors name the file, the field and the value) and
 * the architecture's consistency with the tables (dims, DLRM's bottom width, DIN's table count).
 */
export function parseManifest(input: unknown, where: string): Manifest {
  const parsed = manifestSchema.safeParse(input);
  if (!parsed.success) throw schemaError(where, 'manifest', parsed.error, input);
  const m = parsed.data;
  m.tables.forEach((t, i) => {
    if (t.dim !== m.dim)
      throw repositoryError(
        where,
        `tables[${i}].dim = ${t.dim}: every table must have dim ${m.dim}`,
      );
  });
  const a = m.architecture as Architecture;
  const t = m.tables.length;
  const fail = (field: string, value: unknown, why: string) =>
    repositoryError(where, `${field} = ${JSON.stringify(value)}: ${why}`);
  switch (a.kind) {
    case 'dlrm':
      if (a.bottomMlp.at(-1) !== m.dim)
        throw fail('architecture.bottomMlp', a.bottomMlp, `must end with dim ${m.dim}`);
      if (a.topMlp.at(-1) !== 1) throw fail('architecture.topMlp', a.topMlp, 'must end with 1');
      break;
    case 'ncf':
      if (t !== 4)
        throw fail('tables', `${t} tables`, 'ncf has 4 (MF user, MF item, MLP user, MLP item)');
      if (m.denseFeatures !== 0) throw fail('denseFeatures', m.denseFeatures, 'ncf has none');
      break;
    case 'din':
    case 'dien':
      if (t !== a.behaviours + 3)
        throw fail(
          'tables',
          `${t} tables`,
          `${a.kind} with ${a.behaviours} behaviours has ${a.behaviours + 3}`,
        );
      if (m.denseFeatures !== 0) throw fail('denseFeatures', m.denseFeatures, `${a.kind} has none`);
      break;
    case 'mt-wide-deep':
    case 'wide-deep':
      break;
  }
  if (a.kind !== 'mt-wide-deep' && m.tasks.length !== 1)
    throw fail(
      'tasks',
      m.tasks.map((k) => k.name),
      `${a.kind} has one output`,
    );
  return m;
}
