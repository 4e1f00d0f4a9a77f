import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { MODEL_NAME, readJsonFile, repositoryError, schemaError } from './manifest';

/** Format tag of a pipeline file this version of recmesh reads and writes. */
export const PIPELINE_FORMAT = 'recmesh.pipeline/v1';

/** A pipeline version's file: `<repository>/<pipeline>/<version>/pipeline.json`. */
export const PIPELINE_FILE = 'pipeline.json';

/**
 * Where a stage's dense batches run: `auto` lets the model's scheduler decide (DeepRecSched's
 * offload threshold), `cpu` always uses the CPU worker pool, `accel` sends the stage whole to the
 * accelerator pool.
 */
export const STAGE_BACKENDS = ['auto', 'cpu', 'accel'] as const;
export type StageBackend = (typeof STAGE_BACKENDS)[number];

/** Most stages a pipeline may have. */
export const MAX_STAGES = 8;

const stageSchema = z.strictObject({
  model: z.string().regex(MODEL_NAME, 'a model name (letters, digits, _ . -)'),
  keep: z.number().int().positive().max(1_000_000),
  backend: z.enum(STAGE_BACKENDS).default('auto'),
});

const pipelineSchema = z.strictObject({
  format: z.literal(PIPELINE_FORMAT),
  name: z.string().regex(MODEL_NAME, 'a pipeline name (letters, digits, _ . -)'),
  version: z.number().int().positive(),
  description: z.string().optional(),
  stages: z.array(stageSchema).min(1).max(MAX_STAGES),
  source: z.record(z.string(), z.unknown()).optional(),
});

/** One stage: score the items the previous stage kept with `model`, keep the best `keep`. */
export interface PipelineStage {
  readonly model: string;
  readonly keep: number;
  readonly backend: StageBackend;
}

/** A multi-stage ranking pipeline (RecPipe): stages run in order on shrinking candidate sets. */
export interface Pipeline {
  readonly format: typeof PIPELINE_FORMAT;
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  readonly stages: readonly PipelineStage[];
  readonly source?: Record<string, unknown>;
}

export type PipelineInput = z.input<typeof pipelineSchema>;

/**
 * Checks a parsed pipeline.json field by field (errors name the file, the field and the value);
 * each stage keeps no more items than the one before it.
 */
export function parsePipeline(input: unknown, where: string): Pipeline {
  const parsed = pipelineSchema.safeParse(input);
  if (!parsed.success) throw schemaError(where, 'pipeline', parsed.error, input);
  const p = parsed.data;
  p.stages.forEach((s, i) => {
    const before = p.stages[i - 1];
    if (before !== undefined && s.keep > before.keep)
      throw repositoryError(
        where,
        `stages[${i}].keep = ${s.keep}: more than stage ${i - 1} keeps (${before.keep}); a stage can only narrow the candidates`,
      );
  });
  return p as Pipeline;
}

/** Reads and checks a version folder's pipeline.json; its name and version must be its folders'. */
export function readPipeline(entry: {
  readonly model: string;
  readonly version: number;
  readonly dir: string;
}): Pipeline {
  const file = join(entry.dir, PIPELINE_FILE);
  const p = parsePipeline(readJsonFile(file), file);
  if (p.name !== entry.model)
    throw repositoryError(
      file,
      `name = ${JSON.stringify(p.name)}: the pipeline's folder is ${JSON.stringify(entry.model)}`,
    );
  if (p.version !== entry.version)
    throw repositoryError(file, `version = ${p.version}: the version's folder is ${entry.version}`);
  return p;
}

/** Writes `<root>/<name>/<version>/pipeline.json` after checking it. Returns the pipeline. */
export function writePipeline(root: string, input: PipelineInput): Pipeline {
  const dir = join(resolve(root), String(input.name), String(input.version));
  const file = join(dir, PIPELINE_FILE);
  const p = parsePipeline(input, file);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(p, null, 2)}\n`);
  return p;
}
