import { invalidArgument } from '@recmesh/errors';

/** `table[key]`, or an error naming the field, the key and the keys that exist. */
export function lookup(
  table: Readonly<Record<string, number>>,
  field: string,
  key: string,
  what: string,
): number {
  const value = Object.hasOwn(table, key) ? table[key] : undefined;
  if (value === undefined)
    throw invalidArgument(field, key, `unknown ${what}; known: ${Object.keys(table).join(', ')}`);
  return value;
}
