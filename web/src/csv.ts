// RFC 4180 CSV reader: quoted fields with commas, doubled quotes and line breaks; CRLF, LF or CR line ends.

/** One record of a CSV text: its fields, and the 1-based line it starts on (records may span lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

export interface CsvResult {
  records: CsvRecord[];
  /** A quote opened and never closed: the line it opened on (the rest of the text was read as that field). */
  unterminatedQuoteLine?: number;
}

/**
 * Splits CSV text into records. Fields are returned as written (no trimming); a quoted field's quotes are removed
 * and `""` inside it becomes `"`. Blank lines are skipped, so a trailing newline or a spacer line adds no record.
 * A leading byte-order mark (Excel's "CSV UTF-8") is dropped. Never throws: malformed input yields what it can,
 * and an unterminated quote is reported rather than silently swallowing the rest of the file.
 */
export function parseCsv(text: string): CsvResult {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  /** The current field opened with a quote (a later quote in it is literal text). */
  let fieldQuoted = false;
  /** Some field of the current record was quoted: `""` alone on a line is a record with one empty field. */
  let recordQuoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;

  const endField = () => {
    fields.push(field);
    field = '';
    fieldQuoted = false;
  };
  const endRecord = () => {
    endField();
    const blank = fields.length === 1 && fields[0] === '' && !recordQuoted;
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
    recordQuoted = false;
  };

  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
        continue;
      }
      if (c === '\n' || (c === '\r' && input[i + 1] !== '\n')) line++;
      field += c;
      continue;
    }
    if (c === '"' && field === '' && !fieldQuoted) {
      quoted = true;
      fieldQuoted = true;
      recordQuoted = true;
      quoteLine = line;
      continue;
    }
    if (c === ',') {
      endField();
      continue;
    }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
      continue;
    }
    // Text after a closing quote (`"a"b`) is kept: lenient, like spreadsheet programs.
    field += c;
  }
  if (field !== '' || fields.length > 0 || recordQuoted) endRecord();
  return quoted ? { records, unterminatedQuoteLine: quoteLine } : { records };
}
