import { closeSync, fstatSync, openSync } from 'node:fs';
import { RecmeshError } from '@recmesh/errors';

/** Element types a table file may hold; `u8` is FBGEMM's fused int8 rows ([rows][dim + 8]). */
export type FileDtype = 'f32' | 'f16' | 'u8';

/** One table stored in a file: where its rows are and how they are laid out. */
export interface TableFile {
  /** Path of the file. */
  readonly file: string;
  /** Tensor name inside a safetensors file; undefined for .npy. */
  readonly tensor: string | undefined;
  readonly dtype: FileDtype;
  readonly rows: number;
  /** Embedding width (for u8: the stored row minus its 8 bytes of scale and bias). */
  readonly dim: number;
  /** Byte offset of row 0 in the file. */
  readonly dataOffset: number;
  /** Bytes of one stored row. */
  readonly rowBytes: number;
}

/** An error about one table file: the file (and tensor) named, and what is wrong with it. */
export function fileError(file: string, what: string, cause?: unknown): RecmeshError {
  return new RecmeshError('failed_precondition', `table file ${file}: ${what}`, {
    field: file,
    cause,
  });
}

export const ELEMENT_BYTES: Readonly<Record<FileDtype, number>> = { f32: 4, f16: 2, u8: 1 };

/** Checks a 2-D shape of a table file and gives its rows and dim. */
export function tableShape(
  where: string,
  dtype: FileDtype,
  shape: readonly number[],
): { rows: number; dim: number; rowBytes: number } {
  if (shape.length !== 2)
    throw fileError(where, `shape [${shape.join(', ')}] is not 2-D [rows, dim]`);
  const [rows, cols] = shape as [number, number];
  if (!(Number.isSafeInteger(rows) && rows >= 1 && Number.isSafeInteger(cols) && cols >= 1))
    throw fileError(where, `shape [${shape.join(', ')}] needs rows >= 1 and dim >= 1`);
  if (rows > 2 ** 31 - 1)
    throw fileError(where, `${rows} rows: row ids are int32, at most ${2 ** 31 - 1} rows`);
  if (dtype === 'u8') {
    if (cols <= 8)
      throw fileError(
        where,
        `uint8 rows of ${cols} bytes cannot hold codes plus a float32 scale and bias`,
      );
    return { rows, dim: cols - 8, rowBytes: cols };
  }
  return { rows, dim: cols, rowBytes: cols * ELEMENT_BYTES[dtype] };
}

/** Runs `read(fd, size)` on the open file, closing it after; a file that cannot open is named. */
export function withFile<T>(file: string, read: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw fileError(file, `cannot open: ${(cause as Error).message}`, cause);
  }
  try {
    return read(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}
