// The close-code catalogue: one reconnect verdict per code, the ranges as the default, numbers never reused.
import { describe, expect, it } from 'vitest';
import { CLOSE_CODE_RANGES, CLOSE_CODES, closeReasonOf, shouldReconnect } from './errors.ts';

describe('close codes', () => {
  it.each([
    [1000, false],
    [1001, true],
    [1006, true],
    [1008, false],
    [1009, false],
    [1011, true],
    [1013, true],
    [4000, true],
    [4001, true],
    [4003, false],
    [4008, true],
    [1012, true], // unknown protocol code: retried
    [4100, true], // unknown, reconnect range
    [4499, true],
    [4500, false], // unknown, terminal range
    [4999, false],
    [3000, true],
  ])('shouldReconnect(%i) is %s', (code, expected) => {
    expect(shouldReconnect(code)).toBe(expected);
  });

  it('gives every code one name', () => {
    const codes = Object.values(CLOSE_CODES).map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, entry] of Object.entries(CLOSE_CODES)) expect(closeReasonOf(entry.code)).toBe(name);
    expect(closeReasonOf(4999)).toBeUndefined();
  });

  it('keeps callrelay codes in the range of their flag, except 4003, published before the ranges', () => {
    const outOfRange = Object.entries(CLOSE_CODES)
      .filter(
        ([, { code }]) => code >= CLOSE_CODE_RANGES.reconnect.from && code <= CLOSE_CODE_RANGES.terminal.to,
      )
      .filter(([, { code, reconnect }]) => reconnect !== code <= CLOSE_CODE_RANGES.reconnect.to)
      .map(([name]) => name);
    expect(outOfRange).toEqual(['forbidden']);
  });
});
