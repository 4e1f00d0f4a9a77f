import { readFileSync } from 'node:fs';
import type { BackendOptions } from '@recmesh/backend';
import { z } from '@recmesh/config';
import { RecmeshError } from '@recmesh/errors';

export type DenseEngine = 'auto' | 'onnxruntime' | 'kernels';

export interface CudaOptions {
  /** The GPU, as an index among those CUDA_VISIBLE_DEVICES leaves visible. */
  readonly device: number;
  /**
   * Lanes: CUDA streams, each with its own pinned staging and device buffers. Requests on
   * different lanes overlap their copies with each other's kernels; each in-flight request also
   * holds a libuv threadpool thread (UV_THREADPOOL_SIZE, 4 by default) while it waits.
   */
  readonly lanes: number;
  /**
   * Lookups per part: a gatherReduce with more is split into parts (at most `lanes`) that run on
   * separate lanes, so one part's copies overlap another part's kernel. 65,536 lookups of 256-byte
   * rows (dim 64 fp32) are 16 MiB of rows, about 10 us of an H100's memory bandwidth, against
   * ~5-10 us of launch and copy latency per part.
   */
  readonly partLookups: number;
  /**
   * The dense graph: onnxruntime's CUDA execution provider (where onnxruntime-node was installed
   * with --onnxruntime-node-install=cuda12), the addon's own kernels, or auto (onnxruntime when
   * its CUDA provider is installed and loads, else the kernels).
   */
  readonly dense: DenseEngine;
}

export const DEFAULT_CUDA_OPTIONS: CudaOptions = {
  device: 0,
  lanes: 4,
  partLookups: 65_536,
  dense: 'auto',
};

const schema = z
  .object({
    device: z.number().int().min(0),
    lanes: z.number().int().min(1).max(64),
    partLookups: z.number().int().min(1),
    dense: z.enum(['auto', 'onnxruntime', 'kernels']),
  })
  .partial()
  .strict();

/**
 * The plugin's options from the service's backend configuration: a JSON object, or @ and the path
 * of a JSON file; errors name the variable (`source`), the field and the value.
 */
export function cudaOptionsFrom(options?: BackendOptions): CudaOptions {
  const text = options?.config;
  if (text === undefined || text.trim() === '') return DEFAULT_CUDA_OPTIONS;
  const source = options?.source ?? 'backend options';
  let raw: unknown;
  try {
    raw = JSON.parse(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch (err) {
    throw new RecmeshError('config', `${source}: not a JSON object: ${(err as Error).message}`, {
      field: source,
      value: text,
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    const value = path === '' ? raw : (raw as Record<string, unknown>)[path];
    throw new RecmeshError(
      'config',
      `${source}: ${path === '' ? 'the cuda options' : path} = ${JSON.stringify(value)}: ${issue?.message ?? 'invalid'} (fields: device, lanes, partLookups, dense)`,
      { field: `${source}.${path}`, value },
    );
  }
  return { ...DEFAULT_CUDA_OPTIONS, ...parsed.data };
}
