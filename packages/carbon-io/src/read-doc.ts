import { readFileSync } from 'node:fs';
import { invalidArgument } from '@recmesh/errors';
import { parse } from 'yaml';

/** A file's text, or an error naming the file and why it could not be read. */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw invalidArgument(
      path,
      (err as NodeJS.ErrnoException).code ?? 'unreadable',
      `cannot read the file: ${(err as Error).message}`,
    );
  }
}

/** A YAML or JSON file (YAML reads both), parsed; a syntax error names the file and the line. */
export function readDoc(path: string): unknown {
  const text = readText(path);
  try {
    return parse(text, { prettyErrors: true });
  } catch (err) {
    throw invalidArgument(path, 'syntax', `not valid YAML or JSON: ${(err as Error).message}`);
  }
}
