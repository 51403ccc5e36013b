// Transcript search tokens: how text becomes the normalized words a call's search index and a query are made of.

/**
 * Distinct tokens kept per call (first come, first kept). Bounds the call document (~10 bytes a token) and its
 * index entries (one per token per index on `searchTokens`, far below Firestore's 40,000 per document); a check
 * call's transcript has a few hundred distinct words, so words beyond the cap come from unusually long calls.
 */
export const MAX_SEARCH_TOKENS_PER_CALL = 500;

/** Longest token kept; longer words are cut to this length (queries are cut the same way, so they still match). */
export const MAX_TOKEN_LENGTH = 32;

/** Most words a search query may have after normalization (Firestore's disjunction limit is 30). */
export const MAX_QUERY_TOKENS = 30;

/** Words too common to find anything; never indexed, dropped from queries. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for from has have he her him his i if in into is it its me my no not of on or our ' +
    'she so than that the their them then there these they this to too us was we were what when where which who ' +
    'will with you your yes ok okay um uh'
  ).split(' '),
);

/**
 * The normalized words of `text`, in order, duplicates kept: Unicode-decomposed with diacritics dropped
 * ("Café" → "cafe"), lower-cased, split on anything that is not a letter or digit (so "don't" → "don", "t"),
 * single characters and stop words dropped, each cut to `MAX_TOKEN_LENGTH`.
 */
export function wordTokens(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const out: string[] = [];
  for (const word of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    out.push(word.slice(0, MAX_TOKEN_LENGTH));
  }
  return out;
}

/**
 * `existing` plus the new distinct words of `texts`, at most `MAX_SEARCH_TOKENS_PER_CALL` in all, as a new array;
 * returns `existing` itself when nothing was added (so callers can tell no change happened, and nothing is copied).
 */
export function addSearchTokens<T extends readonly string[]>(
  existing: T | undefined,
  texts: readonly string[],
): T | string[] {
  const base = existing ?? [];
  // At the cap nothing can be added: skip tokenizing (every final segment of a long call lands here).
  if (base.length >= MAX_SEARCH_TOKENS_PER_CALL) return base;
  const positions = positionsOf(base);
  const has = (token: string): boolean => (positions.get(token) ?? Infinity) < base.length;
  let out: string[] | undefined;
  let added: Set<string> | undefined;
  for (const text of texts) {
    for (const token of wordTokens(text)) {
      if (has(token) || added?.has(token)) continue;
      (added ??= new Set()).add(token);
      (out ??= [...base]).push(token);
      if (out.length >= MAX_SEARCH_TOKENS_PER_CALL) break;
    }
    if (out && out.length >= MAX_SEARCH_TOKENS_PER_CALL) break;
  }
  if (!out) return base;
  remember(out, base, positions);
  return out;
}

/**
 * Token → index, shared by a lineage of frozen token arrays each extending the previous one (a call's tokens as
 * appends grow them): an array of length n holds exactly the tokens at index < n. Frozen arrays never change, so
 * their map is looked up instead of rebuilt per append; anything else gets a fresh map.
 */
const lineages = new WeakMap<readonly string[], Map<string, number>>();

function positionsOf(tokens: readonly string[]): Map<string, number> {
  const known = Object.isFrozen(tokens) ? lineages.get(tokens) : undefined;
  if (known) return known;
  const positions = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (!positions.has(t)) positions.set(t, i);
  });
  if (Object.isFrozen(tokens)) lineages.set(tokens, positions);
  return positions;
}

/**
 * Lets `out` (= `base` + new tokens) continue `base`'s lineage when `base` is its newest array (the map holds
 * nothing past it); a second extension of the same base starts a map of its own. `out` is trusted only once frozen.
 */
function remember(out: string[], base: readonly string[], positions: Map<string, number>): void {
  if (!Object.isFrozen(base) || positions.size !== base.length) return;
  for (let i = base.length; i < out.length; i++) positions.set(out[i]!, i);
  lineages.set(out, positions);
}

/** A query's distinct tokens (all must be present in a call for it to match). */
export function queryTokens(q: string): string[] {
  return [...new Set(wordTokens(q))];
}

/** Whether a call's tokens hold every query token. */
export function matchesAllTokens(
  callTokens: readonly string[] | undefined,
  query: readonly string[],
): boolean {
  if (query.length === 0) return true;
  if (!callTokens) return false;
  const have = new Set(callTokens);
  return query.every((t) => have.has(t));
}

/**
 * The query token a store looks up in its index (`array-contains`), the rest being checked in code: the longest,
 * as long words tend to be rarer, so fewer calls are scanned. One `array-contains` on a word every match must have
 * returns a subset of what `array-contains-any` over all the words would, so it never scans more.
 */
export function lookupToken(query: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const t of query) if (best === undefined || t.length > best.length) best = t;
  return best;
}
