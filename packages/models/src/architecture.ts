/**
 * What a model computes between its pooled embeddings and its scores, per model family. The
 * serving contract is the same for all of them: the dense graph takes dense features
 * [batch][denseFeatures] and one pooled vector per table [tables][batch][dim], and gives
 * [batch][tasks] scores in [0, 1]. docs/models.md says how each family uses its tables.
 */

/**
 * DLRM's feature interaction: `cat` concatenates the bottom-MLP output and the pooled vectors;
 * `dot` keeps the bottom output and the pairwise dot products of [bottom, pooled...] below the
 * diagonal; `dot-self` also keeps the diagonal (the DLRM reference's `arch_interaction_itself`).
 */
export type Interaction = 'cat' | 'dot' | 'dot-self';

export const INTERACTIONS: readonly Interaction[] = ['cat', 'dot', 'dot-self'];

/** DLRM (Naumov et al. 2019): bottom MLP over dense features, interaction, top MLP, sigmoid. */
export interface DlrmArchitecture {
  readonly kind: 'dlrm';
  /** Layer widths after the dense input; the last equals the embedding dim. */
  readonly bottomMlp: readonly number[];
  /** Layer widths after the interaction; the last is 1 (the sigmoid). */
  readonly topMlp: readonly number[];
  readonly interaction: Interaction;
}

/**
 * NeuMF (He et al. 2017): tables 0 and 1 are the user and item embeddings of the matrix
 * factorisation branch (element-wise product), tables 2 and 3 those of the MLP branch
 * (concatenated, then `mlp`); both branches concatenated go through `predict`, whose last layer
 * is 1 wide (sigmoid). No dense features.
 */
export interface NcfArchitecture {
  readonly kind: 'ncf';
  readonly mlp: readonly number[];
  readonly predict: readonly number[];
}

/**
 * Wide & Deep (Cheng et al. 2016): the deep part is an MLP over [dense, pooled...] whose last
 * layer is 1 wide; the wide part is a linear model over the dense features (which carry the
 * wide part's cross-product features); the two logits add up before the sigmoid.
 */
export interface WideDeepArchitecture {
  readonly kind: 'wide-deep';
  readonly deepMlp: readonly number[];
}

/**
 * Multi-task Wide & Deep (DeepRecSys' MT-WnD): a shared MLP over [dense, pooled...], then one
 * tower per task (`taskMlp`, last layer 1 wide, sigmoid). Scores are [batch][tasks].
 */
export interface MultiTaskWideDeepArchitecture {
  readonly kind: 'mt-wide-deep';
  readonly sharedMlp: readonly number[];
  readonly taskMlp: readonly number[];
}

/**
 * DIN (Zhou et al. 2018). Tables: 0 the user profile, 1..behaviours the user's behaviour
 * sequence (one pooled vector per behaviour), then the candidate ad, then the context. Each
 * behaviour e_j gets a weight w_j from the local activation unit, an MLP over
 * [e_j, a, e_j - a, e_j * a] (a: the candidate ad), `attentionMlp` hidden layers with sigmoid,
 * then 1 linear output; the user interest is sum_j w_j e_j (not normalised: DIN eq. 3, so an
 * empty behaviour slot, a zero vector, adds nothing). [profile, interest, ad, context] goes
 * through `topMlp` (ReLU), the last layer 2 wide with softmax; the score is its first output.
 */
export interface DinArchitecture {
  readonly kind: 'din';
  readonly behaviours: number;
  readonly attentionMlp: readonly number[];
  readonly topMlp: readonly number[];
}

/**
 * DIEN (Zhou et al. 2019). Tables as DIN. The behaviour sequence goes through a GRU (interest
 * extractor, hidden width `hidden`); attention scores a_t = softmax_t(h_t W a) against the
 * candidate ad; a second GRU runs over a_t h_t (AIGRU, interest evolution) and its last state,
 * with [profile, ad, context], goes through `topMlp` (ReLU; 2 wide, softmax; the score is the
 * first output). The sequence ends at its first empty behaviour slot (a zero vector): GRUs stop
 * there and attention ignores the rest, so users with short histories are served as DIEN masks
 * them.
 */
export interface DienArchitecture {
  readonly kind: 'dien';
  readonly behaviours: number;
  readonly hidden: number;
  readonly topMlp: readonly number[];
}

export type Architecture =
  | DlrmArchitecture
  | NcfArchitecture
  | WideDeepArchitecture
  | MultiTaskWideDeepArchitecture
  | DinArchitecture
  | DienArchitecture;

export type ArchitectureKind = Architecture['kind'];

/** Width of DLRM's interaction output (the top MLP's input) for `tables` tables of width `dim`. */
export function dlrmInteractionWidth(
  interaction: Interaction,
  tables: number,
  dim: number,
): number {
  const n = tables + 1;
  switch (interaction) {
    case 'cat':
      return dim * n;
    case 'dot':
      return dim + (n * (n - 1)) / 2;
    case 'dot-self':
      return dim + (n * (n + 1)) / 2;
  }
}

/** Short human-readable form, e.g. `dlrm dot 13-512-256-64 | 415-512-256-1`. */
export function describeArchitecture(a: Architecture): string {
  const w = (l: readonly number[]) => l.join('-');
  switch (a.kind) {
    case 'dlrm':
      return `dlrm ${a.interaction}, bottom ${w(a.bottomMlp)}, top ${w(a.topMlp)}`;
    case 'ncf':
      return `ncf, mlp ${w(a.mlp)}, predict ${w(a.predict)}`;
    case 'wide-deep':
      return `wide-deep, deep ${w(a.deepMlp)}`;
    case 'mt-wide-deep':
      return `mt-wide-deep, shared ${w(a.sharedMlp)}, task ${w(a.taskMlp)}`;
    case 'din':
      return `din, ${a.behaviours} behaviours, attention ${w(a.attentionMlp)}, top ${w(a.topMlp)}`;
    case 'dien':
      return `dien, ${a.behaviours} behaviours, gru ${a.hidden}, top ${w(a.topMlp)}`;
  }
}
