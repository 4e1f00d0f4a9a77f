import { invalidArgument } from '@recmesh/errors';

/**
 * Checks one batch of bags against a table of `rows` rows, naming the field and value at fault:
 * offsets start at 0, never decrease and never pass the number of indices; every index is in
 * [0, rows); weights, when given, match the indices one to one.
 */
export function validateBags(
  field: string,
  rows: number,
  indices: Int32Array,
  offsets: Int32Array,
  weights?: Float32Array,
): void {
  const n = indices.length;
  if (offsets.length > 0 && offsets[0] !== 0) {
    throw invalidArgument(`${field}.offsets[0]`, offsets[0], 'the first bag must start at 0');
  }
  for (let b = 1; b < offsets.length; b++) {
    if ((offsets[b] as number) < (offsets[b - 1] as number)) {
      throw invalidArgument(
        `${field}.offsets[${b}]`,
        offsets[b],
        `offsets must not decrease (offsets[${b - 1}] = ${offsets[b - 1]})`,
      );
    }
  }
  const last = offsets.length > 0 ? (offsets[offsets.length - 1] as number) : 0;
  if (last > n) {
    throw invalidArgument(
      `${field}.offsets[${offsets.length - 1}]`,
      last,
      `past the end of the ${n} indices`,
    );
  }
  if (offsets.length === 0 && n > 0) {
    throw invalidArgument(`${field}.offsets`, [], `no bags, but ${n} indices`);
  }
  for (let i = 0; i < n; i++) {
    const r = indices[i] as number;
    if (r < 0 || r >= rows) {
      throw invalidArgument(`${field}.indices[${i}]`, r, `outside the table's ${rows} rows`);
    }
  }
  if (weights !== undefined && weights.length !== n) {
    throw invalidArgument(
      `${field}.weights`,
      `${weights.length} weights`,
      `must match the ${n} indices`,
    );
  }
}
