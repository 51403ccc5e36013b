// parseDurationList / formatDurationList: the retry backoff field.
import { describe, expect, it } from 'vitest';
import { formatDurationList, parseDurationList } from './duration-list.ts';

describe('parseDurationList', () => {
  it.each([
    ['15m, 1h', [900, 3600]],
    ['30s 2m', [30, 120]],
    ['15, 60', [900, 3600]],
    ['1s', [1]],
    ['1d', [86_400]],
    ['0.5m', [30]],
    ['', []],
  ])('%s', (text, expected) => expect(parseDurationList(text)).toEqual(expected));

  it.each(['5x', 'soon', '1.5s', '-1m'])('refuses %s', (text) => {
    expect(parseDurationList(text)).toBeUndefined();
  });
});

describe('formatDurationList', () => {
  it('uses the largest whole unit', () => {
    expect(formatDurationList([900, 3600, 1, 90, 86_400])).toBe('15m, 1h, 1s, 90s, 1d');
  });
});
