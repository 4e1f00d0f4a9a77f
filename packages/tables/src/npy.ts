import { readSync } from 'node:fs';
import { fileError, tableShape, withFile, type FileDtype, type TableFile } from './table-file';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** NumPy descr -> file dtype: little-endian float32 and float16, and uint8 (fused int8 rows). */
const DESCRS: Readonly<Record<string, FileDtype>> = {
  '<f4': 'f32',
  '<f2': 'f16',
  '|u1': 'u8',
  '<u1': 'u8',
};

/** The header dict of a .npy file, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }. */
function parseHeaderDict(
  file: string,
  text: string,
): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw fileError(file, `malformed .npy header ${JSON.stringify(text.trim().slice(0, 120))}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+L?$/.test(s) ? Number(s.replace('L', '')) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d)))
    throw fileError(file, `malformed shape (${shapeText}) in the .npy header`);
  return { descr, fortran: fortran === 'True', shape };
}

/**
 * Opens a NumPy .npy file (format 1.0, 2.0 or 3.0) holding one table: a C-order 2-D array of
 * little-endian float32, float16, or uint8 fused int8 rows. Reads only the header; checks that the
 * file is as long as the header says. Errors name the file and what is wrong.
 */
export function openNpy(file: string): TableFile {
  return withFile(file, (fd, size) => {
    const head = Buffer.alloc(12);
    const got = readSync(fd, head, 0, 12, 0);
    if (got < 10 || MAGIC.some((b, i) => head[i] !== b))
      throw fileError(file, 'not a .npy file (no \\x93NUMPY magic)');
    const major = head[6] as number;
    let headerLen: number;
    let headerStart: number;
    if (major === 1) {
      headerLen = head.readUInt16LE(8);
      headerStart = 10;
    } else if (major === 2 || major === 3) {
      if (got < 12) throw fileError(file, 'truncated .npy header');
      headerLen = head.readUInt32LE(8);
      headerStart = 12;
    } else {
      throw fileError(file, `unsupported .npy format version ${major}.${head[7]}`);
    }
    if (headerStart + headerLen > size)
      throw fileError(
        file,
        `truncated: the header needs ${headerStart + headerLen} bytes, the file has ${size}`,
      );
    const header = Buffer.alloc(headerLen);
    readSync(fd, header, 0, headerLen, headerStart);
    const { descr, fortran, shape } = parseHeaderDict(
      file,
      header.toString(major === 3 ? 'utf8' : 'latin1'),
    );
    const dtype = DESCRS[descr];
    if (dtype === undefined)
      throw fileError(
        file,
        `dtype ${descr} is not a table dtype: expected little-endian float32 (<f4), float16 (<f2) or uint8 fused int8 rows (|u1)`,
      );
    if (fortran)
      throw fileError(file, 'Fortran-order arrays are not supported: save a C-order array');
    const { rows, dim, rowBytes } = tableShape(file, dtype, shape);
    const dataOffset = headerStart + headerLen;
    const need = dataOffset + rows * rowBytes;
    if (size < need)
      throw fileError(
        file,
        `truncated: shape [${shape.join(', ')}] of ${descr} needs ${need} bytes, the file has ${size}`,
      );
    if (size > need)
      throw fileError(
        file,
        `${size - need} bytes past the end of the [${shape.join(', ')}] array: not one table`,
      );
    return { file, tensor: undefined, dtype, rows, dim, dataOffset, rowBytes };
  });
}
