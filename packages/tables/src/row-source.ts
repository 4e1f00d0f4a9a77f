import { open, type FileHandle } from 'node:fs/promises';
import {
  encodeFp16,
  halfToFloat,
  quantizeFused8BitRowwise,
  rowBytes,
  type TableData,
} from '@recmesh/backend';
import { fileError, ELEMENT_BYTES, type FileDtype, type TableFile } from './table-file';

/** Rows of one table from somewhere (a file, a generator), read in chunks. */
export interface RowSource {
  /** Names the source in logs and errors (the file and tensor). */
  readonly name: string;
  readonly dtype: FileDtype;
  readonly rows: number;
  readonly dim: number;
  /** Fills `into` with rows [row, row + count), stored as `dtype` ([count][dim] elements). */
  read(row: number, count: number, into: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** The rows of a table file (.npy or a safetensors tensor), read with positioned reads. */
export function fileRows(table: TableFile): RowSource {
  const name =
    table.tensor === undefined
      ? table.file
      : `${table.file} tensor ${JSON.stringify(table.tensor)}`;
  let handle: Promise<FileHandle> | undefined;
  return {
    name,
    dtype: table.dtype,
    rows: table.rows,
    dim: table.dim,
    async read(row, count, into) {
      handle ??= open(table.file, 'r').catch((cause: unknown) => {
        throw fileError(name, `cannot open: ${(cause as Error).message}`, cause);
      });
      const fh = await handle;
      const want = count * table.rowBytes;
      let done = 0;
      while (done < want) {
        const { bytesRead } = await fh.read(
          into,
          done,
          Math.min(want - done, 1 << 30),
          table.dataOffset + row * table.rowBytes + done,
        );
        if (bytesRead === 0)
          throw fileError(
            name,
            `truncated while reading: rows ${row}..${row + count - 1} end at byte ${table.dataOffset + (row + count) * table.rowBytes}, the file ended at ${table.dataOffset + row * table.rowBytes + done}`,
          );
        done += bytesRead;
      }
    },
    async close() {
      const h = handle;
      handle = undefined;
      if (h !== undefined) await (await h.catch(() => undefined))?.close();
    },
  };
}

/** float32 rows made by `fill(row, count, out)` (deterministic weights, tests). */
export function generatedRows(
  name: string,
  rows: number,
  dim: number,
  fill: (row: number, count: number, out: Float32Array) => void,
): RowSource {
  return {
    name,
    dtype: 'f32',
    rows,
    dim,
    read(row, count, into) {
      fill(row, count, new Float32Array(into.buffer, into.byteOffset, count * dim));
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

export interface LoadRowsOptions {
  /**
   * Bytes of source rows per read. Default 64 MiB: large sequential reads run at the disk's
   * speed, and a conversion (fp32 file -> fp16 or int8 table) needs only this much scratch.
   */
  readonly chunkBytes?: number;
  /** After every chunk: rows done of rows in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

const NATIVE: Readonly<Record<FileDtype, TableData['dtype']>> = {
  f32: 'fp32',
  f16: 'fp16',
  u8: 'int8',
};

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Copies rows [rowStart, rowEnd) of `source` into `target` (rows 0.. of it), in chunks: straight
 * into the target's memory when the dtypes match, else through a chunk-sized scratch buffer
 * (fp32 or fp16 sources become fp32, fp16 or int8 tables; int8 sources only int8). Memory beyond
 * the target: one chunk at most. Errors name the source.
 */
export async function loadRows(
  source: RowSource,
  rowStart: number,
  rowEnd: number,
  target: TableData,
  options: LoadRowsOptions = {},
): Promise<void> {
  if (!(
    Number.isInteger(rowStart) &&
    Number.isInteger(rowEnd) &&
    0 <= rowStart &&
    rowStart < rowEnd &&
    rowEnd <= source.rows
  ))
    throw fileError(
      source.name,
      `rows ${rowStart}..${rowEnd - 1} are not rows of its ${source.rows}`,
    );
  if (target.rows !== rowEnd - rowStart || target.dim !== source.dim)
    throw fileError(
      source.name,
      `holds [${source.rows}, ${source.dim}] rows; the table to fill is [${target.rows}, ${target.dim}] for rows ${rowStart}..${rowEnd - 1}`,
    );
  if (source.dtype === 'u8' && target.dtype !== 'int8')
    throw fileError(
      source.name,
      `holds fused int8 rows; they can be served only as int8, not ${target.dtype}`,
    );
  const dim = source.dim;
  const srcRowBytes = source.dtype === 'u8' ? dim + 8 : dim * ELEMENT_BYTES[source.dtype];
  const dstRowBytes = rowBytes(target.dtype, dim);
  const chunkRows = Math.max(1, Math.floor((options.chunkBytes ?? 64 * 2 ** 20) / srcRowBytes));
  const total = rowEnd - rowStart;
  const direct = NATIVE[source.dtype] === target.dtype;
  const dst = bytesOf(target.data);
  const scratch = direct ? undefined : new Uint8Array(Math.min(chunkRows, total) * srcRowBytes);
  const floats = direct ? undefined : new Float32Array(Math.min(chunkRows, total) * dim);
  try {
    for (let done = 0; done < total; done += chunkRows) {
      const n = Math.min(chunkRows, total - done);
      if (direct) {
        await source.read(
          rowStart + done,
          n,
          dst.subarray(done * dstRowBytes, (done + n) * dstRowBytes),
        );
      } else {
        const raw = (scratch as Uint8Array).subarray(0, n * srcRowBytes);
        await source.read(rowStart + done, n, raw);
        const values = (floats as Float32Array).subarray(0, n * dim);
        if (source.dtype === 'f32')
          values.set(new Float32Array(raw.buffer, raw.byteOffset, n * dim));
        else {
          const half = new Uint16Array(raw.buffer, raw.byteOffset, n * dim);
          for (let i = 0; i < values.length; i++) values[i] = halfToFloat(half[i] as number);
        }
        const into = dst.subarray(done * dstRowBytes, (done + n) * dstRowBytes);
        if (target.dtype === 'fp32') into.set(bytesOf(values));
        else if (target.dtype === 'fp16')
          encodeFp16(values, new Uint16Array(into.buffer, into.byteOffset, n * dim));
        else quantizeFused8BitRowwise(values, dim, into);
      }
      options.onProgress?.(done + n, total);
    }
  } finally {
    await source.close();
  }
}
