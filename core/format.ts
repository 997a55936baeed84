export type Row = Record<string, unknown>;

/** Rows as an aligned plain-text table, the way the sqlite3 shell's `.mode column` shows them. */
export function formatTable(columns: readonly string[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
  const widths = columns.map((column, i) => Math.min(60, Math.max(column.length, ...cells.map((line) => line[i]!.length))));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => clip(value, widths[i]!).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** RFC 4180 CSV with a header line. */
export function formatCsv(columns: readonly string[], rows: readonly Row[]): string {
  const quoted = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = [columns.map(quoted).join(',')];
  for (const row of rows) lines.push(columns.map((column) => quoted(cellText(row[column]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** `key: value` lines, keys aligned. */
export function formatRecord(row: Row): string {
  const width = Math.max(0, ...Object.keys(row).map((key) => key.length));
  return Object.entries(row)
    .map(([key, value]) => `${key.padEnd(width)}  ${cellText(value)}`)
    .join('\n');
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}

function clip(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, width - 1)}…`;
}
