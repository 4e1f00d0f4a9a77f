import { readFileSync } from 'node:fs';
import { invalidArgument } from '@recmesh/errors';
import type { ModelSpec } from '@recmesh/models';

/** Samples in the DLRM reference's form (inputs-and-expected.json): one bag per table each. */
export interface ScoreInputs {
  readonly count: number;
  /** float32 [count][denseFeatures] */
  readonly dense: Float32Array;
  readonly sparse: readonly { table: number; offsets: Int32Array; indices: Int32Array }[];
  /** PyTorch's predictions when the file has them (expected_pred). */
  readonly expected?: readonly number[];
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * Reads and checks an inputs file against the model: `dense_x` [batch][denseFeatures] and
 * `sparse`, one entry per table with `offsets` (start of each sample's bag: one per sample, first
 * 0, never decreasing) and `indices` (row ids inside the table). Errors name the file, the field
 * and the value.
 */
export function readScoreInputs(file: string, spec: ModelSpec): ScoreInputs {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw invalidArgument('--inputs', file, `cannot read it as JSON: ${(cause as Error).message}`);
  }
  const at = (field: string) => `${file}: ${field}`;
  const denseX = raw.dense_x;
  if (!Array.isArray(denseX) || denseX.length === 0)
    throw invalidArgument(at('dense_x'), typeof denseX, 'must be a non-empty array of samples');
  const count = denseX.length;
  const f = spec.denseFeatures;
  const dense = new Float32Array(count * f);
  denseX.forEach((row: unknown, s) => {
    if (!Array.isArray(row) || row.length !== f)
      throw invalidArgument(
        at(`dense_x[${s}]`),
        Array.isArray(row) ? `${row.length} values` : typeof row,
        `${spec.name} has ${f} dense features`,
      );
    row.forEach((v: unknown, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw invalidArgument(at(`dense_x[${s}][${i}]`), v, 'must be a finite number');
      dense[s * f + i] = v;
    });
  });
  const sparseRaw = raw.sparse;
  if (!Array.isArray(sparseRaw))
    throw invalidArgument(at('sparse'), typeof sparseRaw, 'must be an array, one entry per table');
  const seen = new Set<number>();
  const sparse = sparseRaw.map((entry: unknown, i) => {
    const e = (entry ?? {}) as { table?: unknown; offsets?: unknown; indices?: unknown };
    const table = e.table ?? i;
    const rows = isInt(table) ? spec.tables[table]?.rows : undefined;
    if (rows === undefined || seen.has(table as number))
      throw invalidArgument(
        at(`sparse[${i}].table`),
        table,
        seen.has(table as number)
          ? 'given twice'
          : `${spec.name} has tables 0..${spec.tables.length - 1}`,
      );
    seen.add(table as number);
    const offsets = e.offsets;
    const indices = e.indices;
    if (!Array.isArray(offsets) || offsets.length !== count)
      throw invalidArgument(
        at(`sparse[${i}].offsets`),
        Array.isArray(offsets) ? `${offsets.length} bags` : typeof offsets,
        `expected one bag start per sample (${count})`,
      );
    if (!Array.isArray(indices))
      throw invalidArgument(at(`sparse[${i}].indices`), typeof indices, 'must be an array');
    offsets.forEach((o: unknown, b) => {
      const prev = b === 0 ? 0 : (offsets[b - 1] as number);
      if (!isInt(o) || (b === 0 ? o !== 0 : o < prev) || o > indices.length)
        throw invalidArgument(
          at(`sparse[${i}].offsets[${b}]`),
          o,
          b === 0 ? 'the first bag starts at 0' : `must be in [${prev}, ${indices.length}]`,
        );
    });
    indices.forEach((r: unknown, k) => {
      if (!isInt(r) || r < 0 || r >= rows)
        throw invalidArgument(
          at(`sparse[${i}].indices[${k}]`),
          r,
          `table ${table as number} has rows 0..${rows - 1}`,
        );
    });
    return {
      table: table as number,
      offsets: Int32Array.from(offsets as number[]),
      indices: Int32Array.from(indices as number[]),
    };
  });
  const missing = spec.tables.map((_, t) => t).filter((t) => !seen.has(t));
  if (missing.length > 0)
    throw invalidArgument(
      at('sparse'),
      `tables ${[...seen].join(', ')}`,
      `tables ${missing.join(', ')} have no bags`,
    );
  const expected = raw.expected_pred;
  return {
    count,
    dense,
    sparse,
    ...(Array.isArray(expected) && expected.length === count
      ? { expected: expected as number[] }
      : {}),
  };
}

/** Samples [start, end) of the inputs, bags rebased to start at 0. */
export function sliceInputs(inputs: ScoreInputs, start: number, end: number, f: number) {
  return {
    count: end - start,
    dense: inputs.dense.subarray(start * f, end * f),
    sparse: inputs.sparse.map((s) => {
      const from = s.offsets[start] as number;
      const to = end < inputs.count ? (s.offsets[end] as number) : s.indices.length;
      return {
        table: s.table,
        offsets: s.offsets.subarray(start, end).map((o) => o - from),
        indices: s.indices.subarray(from, to),
      };
    }),
  };
}
