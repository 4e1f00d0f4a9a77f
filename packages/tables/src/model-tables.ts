import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RecmeshError } from '@recmesh/errors';
import { openNpy } from './npy';
import { openSafetensors } from './safetensors';
import type { TableFile } from './table-file';

/** Names a table may have in a safetensors file: recmesh's own, and the DLRM reference's state dict. */
export function tensorNames(table: number): string[] {
  return [`table_${table}`, `emb_l.${table}.weight`];
}

/**
 * Where the tables of one model live under a tables folder:
 *   <dir>/<model>/table_<t>.npy        one NumPy file per table, or
 *   <dir>/<model>/*.safetensors        tensors named table_<t> or emb_l.<t>.weight
 * (a .npy file wins over a tensor of the same table). `<model>` is the served name (rmc2-dot), or
 * the preset's (rmc2) when no folder of the served name exists: interactions share tables.
 * Only headers are read. Errors name the folder or file and what is missing or wrong.
 */
export function findModelTables(
  dir: string,
  model: string,
  tables: readonly number[],
  preset = model,
): Map<number, TableFile> {
  const folder = [join(dir, model), join(dir, preset)].find(
    (f) => existsSync(f) && statSync(f).isDirectory(),
  );
  if (folder === undefined)
    throw new RecmeshError(
      'failed_precondition',
      `tables folder ${join(dir, model)} does not exist (expected <dir>/<model>/table_<t>.npy or <dir>/<model>/*.safetensors)`,
      { field: 'RECMESH_TABLES_DIR', value: dir },
    );
  const tensors = new Map<string, TableFile>();
  for (const name of readdirSync(folder)
    .filter((n) => n.endsWith('.safetensors'))
    .sort())
    for (const [tensor, file] of openSafetensors(join(folder, name)))
      if (!tensors.has(tensor)) tensors.set(tensor, file);
  const out = new Map<number, TableFile>();
  for (const t of tables) {
    const npy = join(folder, `table_${t}.npy`);
    const found = existsSync(npy)
      ? openNpy(npy)
      : tensorNames(t)
          .map((n) => tensors.get(n))
          .find((f) => f !== undefined);
    if (found === undefined)
      throw new RecmeshError(
        'failed_precondition',
        `table ${t} of ${model}: neither ${npy} nor a 2-D float32/float16/uint8 tensor named ${tensorNames(t).join(' or ')} in ${folder}/*.safetensors`,
        { field: 'RECMESH_TABLES_DIR', value: folder },
      );
    out.set(t, found);
  }
  return out;
}
