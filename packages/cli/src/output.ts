/** Human lines go to stderr; stdout carries results, and with --json one JSON object as its last line. */
export function info(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Rounds for display and JSON (3 decimals). */
export function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Rounds quality figures (NDCG, recall, log loss, AUC) for JSON: 6 decimals. */
export function r6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
