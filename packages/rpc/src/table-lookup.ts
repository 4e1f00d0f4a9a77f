import { validateBags, type BagBatch, type PoolingMode } from '@recmesh/backend';
import { invalidArgument } from '@recmesh/errors';
import { bagOffsets, Pooling, type TableLookup } from '@recmesh/proto';
import { asF32, asI32 } from './tensor';

function poolingOf(field: string, pooling: Pooling): PoolingMode {
  switch (pooling) {
    case Pooling.POOLING_UNSPECIFIED:
    case Pooling.POOLING_SUM:
      return 'sum';
    case Pooling.POOLING_MEAN:
      return 'mean';
    default:
      throw invalidArgument(field, pooling, 'unknown pooling mode');
  }
}

/**
 * A received lookup's bags as a batch for a gather-reduce over a table of `rows` rows, checked
 * (validateBags): errors name `field` (`lookups[i]`) and the part that is wrong. Offsets left
 * empty over one or more indices are one index per bag (bagOffsets).
 */
export function bagBatchOf(field: string, lookup: TableLookup, rows: number): BagBatch {
  const bags = lookup.bags;
  if (bags === undefined) throw invalidArgument(`${field}.bags`, null, 'missing');
  const indices = asI32(bags.indices, `${field}.bags.indices`);
  const offsets = bagOffsets(indices, asI32(bags.offsets, `${field}.bags.offsets`));
  const weights =
    bags.weights.length > 0 ? asF32(bags.weights, `${field}.bags.weights`) : undefined;
  validateBags(`${field}.bags`, rows, indices, offsets, weights);
  const mode = poolingOf(`${field}.pooling`, lookup.pooling);
  return { indices, offsets, mode, ...(weights === undefined ? {} : { weights }) };
}
