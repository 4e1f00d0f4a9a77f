/**
 * DeepRecInfra's DLRM presets (DeepRecSys, ISCA 2020; configs from the public DeepRecSys
 * repository, models/configs/*.json). `bottomMlp` starts with the number of dense features and
 * ends with the embedding dim; `topMlp` lists the layers after the feature interaction (the
 * interaction width is prepended at build time, as the DLRM reference does).
 */
export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly tables: number;
  readonly rows: number;
  readonly dim: number;
  /** Mean indices per lookup ("pool"). */
  readonly pool: number;
  readonly bottomMlp: readonly number[];
  readonly topMlp: readonly number[];
  /** Operator class that bounds its latency (HPCA 2020). */
  readonly boundBy: 'embeddings' | 'mlp';
  /** p95 target at the medium level, ms; low and high are 50% below and above. */
  readonly p95TargetMs: number;
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  rmc1: {
    name: 'rmc1',
    description: 'DLRM-RMC1: embedding-bound, 8 tables x 4M rows, dim 32, pool 80',
    tables: 8,
    rows: 4_000_000,
    dim: 32,
    pool: 80,
    bottomMlp: [128, 64, 32],
    topMlp: [256, 64, 1],
    boundBy: 'embeddings',
    p95TargetMs: 100,
  },
  rmc2: {
    name: 'rmc2',
    description: 'DLRM-RMC2: embedding-bound, 32 tables x 500k rows, dim 64, pool 120',
    tables: 32,
    rows: 500_000,
    dim: 64,
    pool: 120,
    bottomMlp: [256, 128, 64],
    topMlp: [128, 64, 1],
    boundBy: 'embeddings',
    p95TargetMs: 400,
  },
  rmc3: {
    name: 'rmc3',
    description: 'DLRM-RMC3: MLP-bound, 10 tables x 2M rows, dim 32, pool 20',
    tables: 10,
    rows: 2_000_000,
    dim: 32,
    pool: 20,
    bottomMlp: [2560, 1024, 256, 32],
    topMlp: [512, 256, 1],
    boundBy: 'mlp',
    p95TargetMs: 100,
  },
};
