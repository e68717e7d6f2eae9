import type { Diagnostic } from '@netcanvas/shared';

/**
 * One line per diagnostic, columns a person can scan and grep can cut:
 *   error  vlan10,vlan20  duplicate-vid  5:23  vlan10 and vlan20 both use VLAN id 10; …
 */
export function formatDiagnostic(d: Diagnostic): string {
  const elements = d.elements.length > 0 ? d.elements.join(',') : '-';
  const where = d.line !== undefined ? `${d.line}:${d.column ?? 1}` : '-';
  return `${d.severity}  ${elements}  ${d.code}  ${where}  ${d.message}`;
}

export function summary(diagnostics: Diagnostic[]): string {
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

/** Fixed-width table; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
