// Search tokens: normalization, stop words, query matching and the lookup word.
import { describe, expect, it } from 'vitest';
import { lookupToken, matchesAllTokens, MAX_TOKEN_LENGTH, queryTokens, wordTokens } from './search-tokens.ts';

describe('search tokens', () => {
  it.each([
    ['The Reefer is BROKEN', ['reefer', 'broken']],
    ['Café, naïve Ærø façade', ['cafe', 'naive', 'ærø', 'facade']],
    ["don't stop at I-80, exit 42", ['don', 'stop', '80', 'exit', '42']],
    ['', []],
  ])('wordTokens(%j)', (text, tokens) => {
    expect(wordTokens(text)).toEqual(tokens);
  });

  it('cuts long words so queries cut the same way still match', () => {
    const long = 'x'.repeat(MAX_TOKEN_LENGTH + 10);
    expect(wordTokens(long)).toEqual(['x'.repeat(MAX_TOKEN_LENGTH)]);
    expect(matchesAllTokens(wordTokens(long), queryTokens(long + 'yz'))).toBe(true);
  });

  it('matches only calls holding every query word', () => {
    expect(matchesAllTokens(['reefer', 'broken'], queryTokens('broken REEFER'))).toBe(true);
    expect(matchesAllTokens(['reefer'], queryTokens('broken reefer'))).toBe(false);
    expect(matchesAllTokens(undefined, ['reefer'])).toBe(false);
  });

  it('looks up the longest word, the first on a tie', () => {
    expect(lookupToken(['door', 'trailer', 'jammed'])).toBe('trailer');
    expect(lookupToken(['reefer', 'broken'])).toBe('reefer');
    expect(lookupToken([])).toBeUndefined();
  });
});
