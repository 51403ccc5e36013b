// parseCsv: RFC 4180 quoting, line ends, blank lines, and malformed input that must not crash or swallow rows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';

const fieldsOf = (text: string) => parseCsv(text).records.map((r) => r.fields);

describe('parseCsv', () => {
  it('splits plain fields and records', () => {
    expect(fieldsOf('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const { records } = parseCsv('id,desc\n1,"Temp 45, needs 38"\n2,"He said ""no"""\n3,"two\nlines"\n4,x');
    expect(records.map((r) => r.fields)).toEqual([
      ['id', 'desc'],
      ['1', 'Temp 45, needs 38'],
      ['2', 'He said "no"'],
      ['3', 'two\nlines'],
      ['4', 'x'],
    ]);
    // Line numbers say where each record starts, also after a record spanning two lines.
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
  });

  it('accepts CRLF, lone CR, no trailing newline, and a byte-order mark', () => {
    expect(fieldsOf('\uFEFFa,b\r\n1,2\r3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('skips blank lines but keeps empty fields and a quoted empty field', () => {
    expect(fieldsOf('a,b\n\n1,\n,\n""\n\n')).toEqual([['a', 'b'], ['1', ''], ['', ''], ['']]);
  });

  it('keeps fields untrimmed and a quote inside an unquoted field literal', () => {
    expect(fieldsOf(' a , 5" tall')).toEqual([[' a ', ' 5" tall']]);
  });

  it('reports an unterminated quote with the line it opened on', () => {
    const result = parseCsv('a,b\n1,"never closed\n2,3\n');
    expect(result.unterminatedQuoteLine).toBe(2);
    expect(result.records).toHaveLength(2);
  });

  it('reads back what a writer quoting every field wrote (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', ';', 'é') });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const text = rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n');
          const parsed = parseCsv(text);
          expect(parsed.unterminatedQuoteLine).toBeUndefined();
          expect(parsed.records.map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });
});
