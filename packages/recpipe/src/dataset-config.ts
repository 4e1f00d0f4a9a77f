import { invalidArgument } from '@recmesh/errors';
import { CRITEO_KAGGLE_ROWS } from '@recmesh/models';

/** Parameters of the synthetic Criteo-shaped data set; every default is what `prepare` uses. */
export interface DataConfig {
  /** Seed of everything random (ids, latents, labels, queries). Default 1. */
  readonly seed: number;
  /** Fraction of Criteo Kaggle's table rows kept (small tables keep up to `minRows`). Default 0.0002. */
  readonly rowScale: number;
  /** Tables keep min(their Criteo rows, this) rows at least. Default 16. */
  readonly minRows: number;
  /** Zipf exponent of id popularity within every table. Default 1.2 (Criteo's ids are heavy-tailed, about Zipf 1 to 1.2). */
  readonly zipf: number;
  /** Users in the population; each has fixed ids in the user tables. Default 4000. */
  readonly users: number;
  /** Items in the catalogue; each has fixed ids in the item tables and fixed dense features. Default 16000. */
  readonly items: number;
  /** Width of the planted user and item latent vectors. Default 8. */
  readonly latentDim: number;
  /** Tables 0 .. userTables-1 describe the user; the rest the item. Default 13 (of 26). */
  readonly userTables: number;
  /** Tables with fewer rows carry no latent factor (only biases). Default 40. */
  readonly latentMinRows: number;
  /** Scale of the user-item affinity u.v in the logit. Default 0.7. */
  readonly affinity: number;
  /** Std of each item table id's bias in the logit. Default 0.15. */
  readonly idBiasStd: number;
  /** Std of each planted weight of the 13 dense features. Default 0.15. */
  readonly denseWeightStd: number;
  /** Constant of the logit (sets the base click rate). Default -1.5. */
  readonly offset: number;
}

export const DATA_DEFAULTS: DataConfig = {
  seed: 1,
  rowScale: 0.0002,
  minRows: 16,
  zipf: 1.2,
  users: 4000,
  items: 16000,
  latentDim: 8,
  userTables: 13,
  latentMinRows: 40,
  affinity: 0.7,
  idBiasStd: 0.15,
  denseWeightStd: 0.15,
  offset: -1.5,
};

/** Criteo's 13 dense features. */
export const DENSE_FEATURES = 13;

/** Rows of each of the 26 tables: round(Criteo rows x rowScale), but at least min(Criteo rows, minRows). */
export function datasetTableRows(config: Pick<DataConfig, 'rowScale' | 'minRows'>): number[] {
  return CRITEO_KAGGLE_ROWS.map((rows) =>
    Math.max(Math.min(rows, config.minRows), Math.round(rows * config.rowScale)),
  );
}

const POSITIVE_INT = ['users', 'items', 'latentDim', 'minRows', 'latentMinRows'] as const;

/** `partial` over the defaults, each field checked; errors name the field and the value. */
export function dataConfig(partial: Partial<DataConfig> = {}): DataConfig {
  const c = { ...DATA_DEFAULTS, ...partial };
  if (!Number.isInteger(c.seed) || c.seed < 0)
    throw invalidArgument('seed', c.seed, 'a non-negative integer');
  if (!(c.rowScale > 0 && c.rowScale <= 1))
    throw invalidArgument('rowScale', c.rowScale, 'must be in (0, 1]');
  for (const f of POSITIVE_INT)
    if (!Number.isInteger(c[f]) || c[f] < 1) throw invalidArgument(f, c[f], 'a positive integer');
  if (!(c.zipf >= 0)) throw invalidArgument('zipf', c.zipf, 'must be >= 0');
  if (
    !Number.isInteger(c.userTables) ||
    c.userTables < 1 ||
    c.userTables >= CRITEO_KAGGLE_ROWS.length
  )
    throw invalidArgument('userTables', c.userTables, `in 1..${CRITEO_KAGGLE_ROWS.length - 1}`);
  for (const f of ['affinity', 'idBiasStd', 'denseWeightStd', 'offset'] as const)
    if (!Number.isFinite(c[f])) throw invalidArgument(f, c[f], 'a finite number');
  return c;
}
