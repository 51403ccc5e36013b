// CSV cells: RFC 4180 quoting and the formula-injection guard.
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from './csv.ts';

describe('csv', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1 555', "'+1 555"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    [-2, '-2'],
    [true, 'true'],
    [undefined, ''],
    [null, ''],
  ] as const)('csvCell(%j) = %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('ends records with CRLF', () => {
    expect(csvRow(['a', 1, undefined, 'b c'])).toBe('a,1,,b c\r\n');
  });
});
