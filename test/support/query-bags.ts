// The bags of one item of a query, read back from its CSR features for the reference models.

/**
 * A CSR feature: item b's rows are indices[offsets[b] .. offsets[b + 1]), the last to the end;
 * without offsets, item b's one row is indices[b].
 */
export interface CsrFeature {
  readonly indices: ArrayLike<number>;
  readonly offsets?: ArrayLike<number>;
}

/** Item `index`'s bag of one feature, as plain numbers. */
export function bagOf(feature: CsrFeature, index: number): number[] {
  if (feature.offsets === undefined) return [feature.indices[index] as number];
  const start = feature.offsets[index] as number;
  const end =
    index + 1 < feature.offsets.length
      ? (feature.offsets[index + 1] as number)
      : feature.indices.length;
  return Array.prototype.slice.call(feature.indices, start, end) as number[];
}

/** Item `index`'s bags of every item feature of a query, in the features' order. */
export function itemBags(
  query: { readonly items: { readonly sparse?: readonly CsrFeature[] } },
  index: number,
): number[][] {
  return (query.items.sparse ?? []).map((feature) => bagOf(feature, index));
}
