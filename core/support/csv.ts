// CSV output per RFC 4180, guarded against formula injection when opened in a spreadsheet.

/** A cell value; null and undefined are empty cells. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * One cell: text starting with `=`, `+`, `-`, `@` (or a tab / carriage return, which some spreadsheets skip before
 * reading a formula) gets a leading `'` so spreadsheets show it as text instead of running it (OWASP "CSV
 * injection"); a cell holding a quote, comma, CR or LF is quoted, its quotes doubled. Numbers and booleans are
 * written as they are (a negative number is data, not a formula).
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
