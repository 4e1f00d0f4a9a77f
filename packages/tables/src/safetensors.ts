import { readSync } from 'node:fs';
import {
  fileError,
  tableShape,
  withFile,
  ELEMENT_BYTES,
  type FileDtype,
  type TableFile,
} from './table-file';

const DTYPES: Readonly<Record<string, FileDtype>> = { F32: 'f32', F16: 'f16', U8: 'u8' };

/** safetensors caps the header at 100 MB; a larger length means a corrupt or foreign file. */
const MAX_HEADER_BYTES = 100_000_000;

interface Entry {
  dtype?: unknown;
  shape?: unknown;
  data_offsets?: unknown;
}

/**
 * Opens a safetensors file and lists its 2-D tensors of F32, F16 or U8 (fused int8 rows) as
 * tables, by tensor name. Reads only the header; checks every tensor's offsets against its shape
 * and the file's length. Tensors of other dtypes or ranks are skipped (a checkpoint also holds MLP
 * weights and biases); findModelTables says so when a table it wants is one of them.
 */
export function openSafetensors(file: string): Map<string, TableFile> {
  return withFile(file, (fd, size) => {
    const lenBuf = Buffer.alloc(8);
    if (readSync(fd, lenBuf, 0, 8, 0) < 8)
      throw fileError(file, `truncated: ${size} bytes, not even a safetensors header length`);
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > size)
      throw fileError(
        file,
        `not a safetensors file or truncated: header length ${headerLen}, file length ${size}`,
      );
    const header = Buffer.alloc(headerLen);
    readSync(fd, header, 0, headerLen, 8);
    let parsed: Record<string, Entry>;
    try {
      parsed = JSON.parse(header.toString('utf8')) as Record<string, Entry>;
    } catch (cause) {
      throw fileError(file, `corrupt safetensors header: ${(cause as Error).message}`, cause);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw fileError(file, 'corrupt safetensors header: not a JSON object');
    const dataStart = 8 + headerLen;
    const tables = new Map<string, TableFile>();
    for (const [name, entry] of Object.entries(parsed)) {
      if (name === '__metadata__') continue;
      const where = `${file} tensor ${JSON.stringify(name)}`;
      const dtype = typeof entry.dtype === 'string' ? DTYPES[entry.dtype] : undefined;
      const shape = entry.shape;
      const offsets = entry.data_offsets;
      if (
        !Array.isArray(shape) ||
        !Array.isArray(offsets) ||
        offsets.length !== 2 ||
        !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
      )
        throw fileError(where, 'corrupt entry: needs dtype, shape and two data_offsets');
      if (dtype === undefined || shape.length !== 2) continue; // not a table
      const [begin, end] = offsets as [number, number];
      const { rows, dim, rowBytes } = tableShape(where, dtype, shape as number[]);
      if (end - begin !== rows * rowBytes)
        throw fileError(
          where,
          `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape.join(', ')}] of ${String(entry.dtype)} needs ${rows * rowBytes} (${ELEMENT_BYTES[dtype]} bytes per element)`,
        );
      if (dataStart + end > size)
        throw fileError(
          where,
          `truncated: the tensor ends at byte ${dataStart + end}, the file has ${size}`,
        );
      tables.set(name, {
        file,
        tensor: name,
        dtype,
        rows,
        dim,
        dataOffset: dataStart + begin,
        rowBytes,
      });
    }
    return tables;
  });
}
