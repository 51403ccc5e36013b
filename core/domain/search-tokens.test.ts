// Search tokens: normalization, stop words, query matching and the lookup word.
import { describe, expect, it } from 'vitest';
import {
  addSearchTokens,
  lookupToken,
  MAX_SEARCH_TOKENS_PER_CALL,
  matchesAllTokens,
  MAX_TOKEN_LENGTH,
  queryTokens,
  wordTokens,
} from './search-tokens.ts';

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

  it('adds new distinct words as a new array and returns the same array when nothing is new', () => {
    const frozen = Object.freeze(['reefer', 'broken']);
    const grown = addSearchTokens(frozen, ['Reefer broken again', 'again and AGAIN, door']);
    expect(grown).toEqual(['reefer', 'broken', 'again', 'door']);
    expect(frozen).toEqual(['reefer', 'broken']);
    expect(addSearchTokens(frozen, ['the reefer is broken'])).toBe(frozen);
    // The frozen array's remembered set must not have learned the words added to the new array.
    expect(addSearchTokens(frozen, ['door'])).toEqual(['reefer', 'broken', 'door']);
    expect(addSearchTokens(undefined, ['door'])).toEqual(['door']);
  });

  it('gives every array of a frozen lineage exactly its own tokens, forks included', () => {
    const first = Object.freeze(addSearchTokens(undefined, ['reefer broken']));
    const second = Object.freeze(addSearchTokens(first, ['door jammed']));
    expect(second).toEqual(['reefer', 'broken', 'door', 'jammed']);
    expect(addSearchTokens(second, ['jammed reefer door'])).toBe(second);
    // `first` does not hold what `second` added: extending it again (a fork) must add those words.
    const fork = Object.freeze(addSearchTokens(first, ['door open']));
    expect(fork).toEqual(['reefer', 'broken', 'door', 'open']);
    expect(addSearchTokens(fork, ['jammed'])).toEqual(['reefer', 'broken', 'door', 'open', 'jammed']);
    expect(addSearchTokens(second, ['open'])).toEqual(['reefer', 'broken', 'door', 'jammed', 'open']);
  });

  it('stops at the cap and returns the full array itself', () => {
    const full = Array.from({ length: MAX_SEARCH_TOKENS_PER_CALL }, (_, i) => `w${i}`);
    expect(addSearchTokens(full, ['brand new words'])).toBe(full);
    const almost = full.slice(1);
    expect(addSearchTokens(almost, ['one two three'])).toHaveLength(MAX_SEARCH_TOKENS_PER_CALL);
  });
});
