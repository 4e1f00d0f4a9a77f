import type { Architecture } from './architecture';

/** One output of a model, and its weight when several are combined into one ranking score. */
export interface TaskSpec {
  readonly name: string;
  readonly weight: number;
}

/**
 * A built-in model at full size. Table rows are the published ones; `resolveModel` scales them by
 * the row scale. DeepRecInfra's configs come from the public DeepRecSys repository
 * (models/configs/*.json; DeepRecSys, ISCA 2020), RecPipe's from its repository
 * (configs/model_configs/dim_{4,16,32}*.json; RecPipe, MICRO 2021).
 */
export interface Preset {
  readonly name: string;
  readonly description: string;
  /** Where the configuration comes from. */
  readonly source: string;
  readonly denseFeatures: number;
  readonly dim: number;
  /** Rows of every table at full size. */
  readonly tableRows: readonly number[];
  /** Mean indices per lookup ("pool"). */
  readonly pool: number;
  readonly architecture: Architecture;
  readonly tasks: readonly TaskSpec[];
  /** Operator class that bounds its latency (HPCA 2020, DeepRecSys). */
  readonly boundBy: 'embeddings' | 'mlp' | 'attention';
  /** p95 target at the medium level, ms; low and high are 50% below and above. */
  readonly p95TargetMs: number;
}

const CLICK: readonly TaskSpec[] = [{ name: 'click', weight: 1 }];
const repeat = (n: number, rows: number): number[] => Array<number>(n).fill(rows);

/** Criteo Kaggle's 26 categorical features: distinct values per feature (DLRM's preprocessing). */
export const CRITEO_KAGGLE_ROWS: readonly number[] = [
  1460, 583, 10131227, 2202608, 305, 24, 12517, 633, 3, 93145, 5683, 8351593, 3194, 27, 14992,
  5461306, 10, 5652, 2173, 4, 7046547, 18, 15, 286181, 105, 142572,
];

/** DIN's user-behaviour slots (DeepRecSys models/configs/din.json: user_behavior_tables 250). */
const DIN_BEHAVIOURS = 250;
/** DIEN's behaviour slots: 41 tables of 500k rows are the profile and 40 behaviours. */
const DIEN_BEHAVIOURS = 40;

export const PRESETS: Readonly<Record<string, Preset>> = {
  rmc1: {
    name: 'rmc1',
    description: 'DLRM-RMC1: embedding-bound, 8 tables x 4M rows, dim 32, pool 80',
    source: 'DeepRecSys models/configs/dlrm_rm1.json',
    denseFeatures: 128,
    dim: 32,
    tableRows: repeat(8, 4_000_000),
    pool: 80,
    architecture: { kind: 'dlrm', bottomMlp: [64, 32], topMlp: [256, 64, 1], interaction: 'cat' },
    tasks: CLICK,
    boundBy: 'embeddings',
    p95TargetMs: 100,
  },
  rmc2: {
    name: 'rmc2',
    description: 'DLRM-RMC2: embedding-bound, 32 tables x 500k rows, dim 64, pool 120',
    source: 'DeepRecSys models/configs/dlrm_rm2.json',
    denseFeatures: 256,
    dim: 64,
    tableRows: repeat(32, 500_000),
    pool: 120,
    architecture: { kind: 'dlrm', bottomMlp: [128, 64], topMlp: [128, 64, 1], interaction: 'cat' },
    tasks: CLICK,
    boundBy: 'embeddings',
    p95TargetMs: 400,
  },
  rmc3: {
    name: 'rmc3',
    description: 'DLRM-RMC3: MLP-bound, 10 tables x 2M rows, dim 32, pool 20',
    source: 'DeepRecSys models/configs/dlrm_rm3.json',
    denseFeatures: 2560,
    dim: 32,
    tableRows: repeat(10, 2_000_000),
    pool: 20,
    architecture: {
      kind: 'dlrm',
      bottomMlp: [1024, 256, 32],
      topMlp: [512, 256, 1],
      interaction: 'cat',
    },
    tasks: CLICK,
    boundBy: 'mlp',
    p95TargetMs: 100,
  },
  ncf: {
    name: 'ncf',
    description: 'NCF (NeuMF): 4 tables (140k, 140k, 28k, 28k), dim 64, one id per lookup',
    source: 'DeepRecSys models/configs/ncf.json',
    denseFeatures: 0,
    dim: 64,
    tableRows: [140_000, 140_000, 28_000, 28_000],
    pool: 1,
    // DeepRecSys' top MLP 256-256-128-64-64: the MLP tower, then its NeuMF layer over the two
    // branches (64 + 64 -> 64); recmesh adds the 1-wide sigmoid output the benchmark leaves out.
    architecture: { kind: 'ncf', mlp: [256, 256, 128, 64], predict: [64, 1] },
    tasks: CLICK,
    boundBy: 'mlp',
    p95TargetMs: 5,
  },
  wnd: {
    name: 'wnd',
    description: 'Wide & Deep: 512 dense features, 27 tables x 1M rows, dim 32, one id per lookup',
    source: 'DeepRecSys models/configs/wide_and_deep.json',
    denseFeatures: 512,
    dim: 32,
    tableRows: repeat(27, 1_000_000),
    pool: 1,
    architecture: { kind: 'wide-deep', deepMlp: [1024, 512, 256, 1] },
    tasks: CLICK,
    boundBy: 'mlp',
    p95TargetMs: 25,
  },
  mtwnd: {
    name: 'mtwnd',
    description:
      'Multi-task Wide & Deep: 512 dense, 41 tables x 500k + 2 x 5M rows, dim 32, 3 task towers',
    source: 'DeepRecSys models/configs/mtwnd.json',
    denseFeatures: 512,
    dim: 32,
    tableRows: [...repeat(41, 500_000), 5_000_000, 5_000_000],
    pool: 1,
    // Task towers 512-256-128 (the 512 is the shared MLP's output), then each task's sigmoid.
    architecture: { kind: 'mt-wide-deep', sharedMlp: [1024, 512], taskMlp: [256, 128, 1] },
    tasks: [
      { name: 'click', weight: 1 },
      { name: 'like', weight: 1 },
      { name: 'share', weight: 1 },
    ],
    boundBy: 'mlp',
    p95TargetMs: 25,
  },
  din: {
    name: 'din',
    description: `DIN: profile (1M), ${DIN_BEHAVIOURS} behaviour slots (100k), candidate ad (10M), context (10M); dim 32, pool 3`,
    source: 'DeepRecSys models/configs/din.json',
    denseFeatures: 0,
    dim: 32,
    tableRows: [1_000_000, ...repeat(DIN_BEHAVIOURS, 100_000), 10_000_000, 10_000_000],
    pool: 3,
    // The activation unit's hidden layers are those of DIN's public code (80-40, sigmoid);
    // DeepRecSys' Caffe2 benchmark fuses the unit into one FC pair of width 1 ("bottom MLP 1").
    architecture: {
      kind: 'din',
      behaviours: DIN_BEHAVIOURS,
      attentionMlp: [80, 40],
      topMlp: [200, 80, 2],
    },
    tasks: CLICK,
    boundBy: 'attention',
    p95TargetMs: 100,
  },
  dien: {
    name: 'dien',
    description: `DIEN: profile and ${DIEN_BEHAVIOURS} behaviour slots (500k each), candidate ad and context (5M each); dim 32, GRU 64`,
    source: 'DeepRecSys models/configs/dien.json',
    denseFeatures: 0,
    dim: 32,
    tableRows: [...repeat(1 + DIEN_BEHAVIOURS, 500_000), 5_000_000, 5_000_000],
    pool: 1,
    // GRU width: DeepRecSys' hidden_size default (64).
    architecture: { kind: 'dien', behaviours: DIEN_BEHAVIOURS, hidden: 64, topMlp: [200, 80, 2] },
    tasks: CLICK,
    boundBy: 'attention',
    p95TargetMs: 35,
  },
  'rm-small': {
    name: 'rm-small',
    description: "RecPipe RM-small: Criteo (13 dense, 26 tables), dim 4, DLRM's dot interaction",
    source: 'RecPipe configs/model_configs/dim_4_0.json',
    denseFeatures: 13,
    dim: 4,
    tableRows: CRITEO_KAGGLE_ROWS,
    pool: 1,
    architecture: { kind: 'dlrm', bottomMlp: [64, 4], topMlp: [64, 1], interaction: 'dot' },
    tasks: CLICK,
    boundBy: 'embeddings',
    p95TargetMs: 10,
  },
  'rm-med': {
    name: 'rm-med',
    description: "RecPipe RM-med: Criteo (13 dense, 26 tables), dim 16, DLRM's dot interaction",
    source: 'RecPipe configs/model_configs/dim_16.json',
    denseFeatures: 13,
    dim: 16,
    tableRows: CRITEO_KAGGLE_ROWS,
    pool: 1,
    architecture: { kind: 'dlrm', bottomMlp: [64, 16], topMlp: [64, 1], interaction: 'dot' },
    tasks: CLICK,
    boundBy: 'embeddings',
    p95TargetMs: 10,
  },
  'rm-large': {
    name: 'rm-large',
    description: "RecPipe RM-large: Criteo (13 dense, 26 tables), dim 32, DLRM's dot interaction",
    source: 'RecPipe configs/model_configs/dim_32_0.json',
    denseFeatures: 13,
    dim: 32,
    tableRows: CRITEO_KAGGLE_ROWS,
    pool: 1,
    architecture: {
      kind: 'dlrm',
      bottomMlp: [512, 256, 128, 64, 32],
      topMlp: [96, 1],
      interaction: 'dot',
    },
    tasks: CLICK,
    boundBy: 'mlp',
    p95TargetMs: 25,
  },
};
