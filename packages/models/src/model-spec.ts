import { invalidArgument, notFound } from '@recmesh/errors';
import { PRESETS } from './presets';

export type Interaction = 'cat' | 'dot';
export type PoolingMode = 'sum' | 'mean';

export interface TableSpec {
  readonly rows: number;
  readonly dim: number;
  /** Mean indices per lookup, used by load generators and the sharding planner. */
  readonly pool: number;
  readonly pooling: PoolingMode;
}

/** Everything a service needs to know about a model to serve it. */
export interface ModelSpec {
  /** Name clients use, e.g. `rmc1` or `rmc1-dot`. */
  readonly name: string;
  readonly preset: string;
  readonly denseFeatures: number;
  readonly dim: number;
  readonly tables: readonly TableSpec[];
  /** Layer widths after the dense input; the last equals `dim`. */
  readonly bottomMlp: readonly number[];
  /** Layer widths after the interaction; the last is 1. */
  readonly topMlp: readonly number[];
  readonly interaction: Interaction;
  /** p95 targets, ms (DeepRecSys: low and high are 50% below and above medium). */
  readonly targets: { readonly low: number; readonly medium: number; readonly high: number };
  readonly seed: number;
  readonly rowScale: number;
}

export interface ModelOptions {
  /** Fraction of the preset's rows to allocate, (0, 1]. */
  rowScale: number;
  seed: number;
}

const SUFFIX = /-(cat|dot)$/;

/**
 * Resolves a model name such as `rmc1`, `rmc1-dot` or `rmc3-cat` to its spec. The DeepRecSys
 * configs use concatenation, so that is the default interaction.
 */
export function resolveModel(name: string, options: ModelOptions): ModelSpec {
  const suffix = SUFFIX.exec(name);
  const base = suffix === null ? name : name.slice(0, suffix.index);
  const preset = Object.hasOwn(PRESETS, base) ? PRESETS[base] : undefined;
  if (preset === undefined) {
    throw notFound(
      'model',
      name,
      `unknown model; known presets: ${Object.keys(PRESETS).join(', ')} (optionally with -cat or -dot)`,
    );
  }
  if (!(options.rowScale > 0 && options.rowScale <= 1)) {
    throw invalidArgument('rowScale', options.rowScale, 'must be in (0, 1]');
  }
  const interaction = (suffix?.[1] as Interaction | undefined) ?? 'cat';
  const rows = Math.max(1, Math.round(preset.rows * options.rowScale));
  const [denseFeatures, ...bottomMlp] = preset.bottomMlp;
  return {
    name,
    preset: preset.name,
    denseFeatures: denseFeatures ?? 0,
    dim: preset.dim,
    tables: Array.from({ length: preset.tables }, () => ({
      rows,
      dim: preset.dim,
      pool: preset.pool,
      pooling: 'sum' as const,
    })),
    bottomMlp,
    topMlp: [...preset.topMlp],
    interaction,
    targets: {
      low: preset.p95TargetMs * 0.5,
      medium: preset.p95TargetMs,
      high: preset.p95TargetMs * 1.5,
    },
    seed: options.seed,
    rowScale: options.rowScale,
  };
}

/** `rmc1,rmc3-dot` -> specs, rejecting duplicates. */
export function resolveModels(list: string, options: ModelOptions): ModelSpec[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw invalidArgument('models', list, 'names no model');
  const seen = new Set<string>();
  return names.map((name) => {
    if (seen.has(name)) throw invalidArgument('models', list, `lists ${name} twice`);
    seen.add(name);
    return resolveModel(name, options);
  });
}

/** Width of the interaction's output, which is the top MLP's input. */
export function interactionWidth(spec: Pick<ModelSpec, 'interaction' | 'dim' | 'tables'>): number {
  const t = spec.tables.length;
  return spec.interaction === 'cat' ? spec.dim * (t + 1) : spec.dim + ((t + 1) * t) / 2;
}

/** Bytes of float32 weights in all tables. */
export function tableBytes(spec: ModelSpec): number {
  return spec.tables.reduce((sum, t) => sum + t.rows * t.dim * 4, 0);
}
