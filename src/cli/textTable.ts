// Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.

export type Cell = string | number | null;

export const count = (n: number | null) => (n === null ? '?' : n.toLocaleString('en-US'));
export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
export const shape = (s: (number | null)[]) => `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/** One header row and the rows under it, two spaces between columns. */
export function textTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (c === null ? '' : typeof c === 'number' ? count(c) : c)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}
