import { invalidArgument, notFound } from '@recmesh/errors';
import {
  dlrmInteractionWidth,
  INTERACTIONS,
  type Architecture,
  type Interaction,
} from './architecture';
import { PRESETS, type TaskSpec } from './presets';

export type PoolingMode = 'sum' | 'mean';

export interface TableSpec {
  readonly rows: number;
  readonly dim: number;
  /** Mean indices per lookup, used by load generators and the sharding planner. */
  readonly pool: number;
  readonly pooling: PoolingMode;
}

/** p95 latency targets, ms (DeepRecSys: low and high are 50% below and above medium). */
export interface Targets {
  readonly low: number;
  readonly medium: number;
  readonly high: number;
}

/** Everything a service needs to know about a model to serve it. */
export interface ModelSpec {
  /** Name clients use, e.g. `rmc1`, `rmc1-dot` or a model repository's folder name. */
  readonly name: string;
  /** The preset it was made from, or `repository` for a model from a model repository. */
  readonly preset: string;
  /**
   * Version of the model (Triton's and TF Serving's sense: a folder of the model repository).
   * Built-in presets are version 1.
   */
  readonly version: number;
  readonly denseFeatures: number;
  /** Width of every table's rows, and of the pooled vectors. */
  readonly dim: number;
  readonly tables: readonly TableSpec[];
  readonly architecture: Architecture;
  /** The model's outputs per sample (one for most; MT-WnD has several). */
  readonly tasks: readonly TaskSpec[];
  readonly targets: Targets;
  /** Seed of the deterministic weights (presets); unused by repository models. */
  readonly seed: number;
  /** Fraction of the preset's rows allocated; 1 for repository models. */
  readonly rowScale: number;
}

export interface ModelOptions {
  /** Fraction of the preset's rows to allocate, (0, 1]. */
  rowScale: number;
  seed: number;
}

const SUFFIX = /-(cat|dot-self|dot)$/;

/** p95 targets around a medium one (DeepRecSys: low and high are 50% below and above). */
export function targetsAround(mediumMs: number): Targets {
  return { low: mediumMs * 0.5, medium: mediumMs, high: mediumMs * 1.5 };
}

/**
 * Resolves a model name such as `rmc1`, `rmc1-dot`, `ncf` or `rm-large-cat` to its spec. DLRM
 * presets take an interaction suffix (`-cat`, `-dot`, `-dot-self`); without one they keep their
 * configuration's (concatenation for DeepRecSys' RMCs, dot products for RecPipe's RMs).
 */
export function resolveModel(name: string, options: ModelOptions): ModelSpec {
  const direct = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  const suffix = direct === undefined ? SUFFIX.exec(name) : null;
  const base = suffix === null ? name : name.slice(0, suffix.index);
  const preset = Object.hasOwn(PRESETS, base) ? PRESETS[base] : undefined;
  if (preset === undefined) {
    throw notFound(
      'model',
      name,
      `unknown model; known presets: ${Object.keys(PRESETS).join(', ')} (DLRM presets optionally with -cat, -dot or -dot-self)`,
    );
  }
  if (!(options.rowScale > 0 && options.rowScale <= 1)) {
    throw invalidArgument('rowScale', options.rowScale, 'must be in (0, 1]');
  }
  let architecture = preset.architecture;
  if (suffix !== null) {
    if (architecture.kind !== 'dlrm')
      throw invalidArgument(
        'model',
        name,
        `${preset.name} is a ${architecture.kind} model: only DLRM presets take an interaction suffix`,
      );
    architecture = { ...architecture, interaction: suffix[1] as Interaction };
  }
  return {
    name,
    preset: preset.name,
    version: 1,
    denseFeatures: preset.denseFeatures,
    dim: preset.dim,
    tables: preset.tableRows.map((rows) => ({
      rows: Math.max(1, Math.round(rows * options.rowScale)),
      dim: preset.dim,
      pool: preset.pool,
      pooling: 'sum' as const,
    })),
    architecture,
    tasks: preset.tasks,
    targets: targetsAround(preset.p95TargetMs),
    seed: options.seed,
    rowScale: options.rowScale,
  };
}

/** Splits a comma-separated list of names, trimmed, empty items dropped. */
export function modelNames(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * `rmc1,rmc3-dot` -> specs, rejecting duplicates. `allowEmpty`: an empty list is no models
 * (services whose models all come from a model repository).
 */
export function resolveModels(
  list: string,
  options: ModelOptions,
  allowEmpty = false,
): ModelSpec[] {
  const names = modelNames(list);
  if (names.length === 0 && !allowEmpty) throw invalidArgument('models', list, 'names no model');
  const seen = new Set<string>();
  return names.map((name) => {
    if (seen.has(name)) throw invalidArgument('models', list, `lists ${name} twice`);
    seen.add(name);
    return resolveModel(name, options);
  });
}

/** Width of a DLRM model's interaction output, which is its top MLP's input. */
export function interactionWidth(spec: Pick<ModelSpec, 'architecture' | 'dim' | 'tables'>): number {
  if (spec.architecture.kind !== 'dlrm')
    throw invalidArgument('architecture', spec.architecture.kind, 'has no DLRM interaction');
  return dlrmInteractionWidth(spec.architecture.interaction, spec.tables.length, spec.dim);
}

/** Bytes of float32 weights in all tables. */
export function tableBytes(spec: ModelSpec): number {
  return spec.tables.reduce((sum, t) => sum + t.rows * t.dim * 4, 0);
}

export function isInteraction(value: unknown): value is Interaction {
  return typeof value === 'string' && (INTERACTIONS as readonly string[]).includes(value);
}
