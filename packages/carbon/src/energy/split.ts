/**
 * Splits `totalJ` among keys in proportion to their busy seconds; with no busy time at all, it
 * goes to `fallback` so that no measured joule is dropped.
 */
export function splitByBusy<K>(
  totalJ: number,
  busyS: ReadonlyMap<K, number>,
  fallback: K,
): Map<K, number> {
  let sum = 0;
  for (const b of busyS.values()) sum += b;
  if (!(sum > 0)) return new Map([[fallback, totalJ]]);
  const out = new Map<K, number>();
  for (const [key, b] of busyS) out.set(key, (totalJ * b) / sum);
  return out;
}
