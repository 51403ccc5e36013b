// What a callId is: the ids callrelay issues (`call_<hex>`, `ext_<hex>`, UUIDs) and accepts back from anyone.

/**
 * Letters, digits, `_` and `-`, 1 to 128 characters: safe as a Firestore document id, in a URL path or query without
 * escaping, and in logs. Every edge (webhook query, API path, relay frame, dynamic variable) checks this one rule.
 */
export const CALL_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isCallId(value: unknown): value is string {
  return typeof value === 'string' && CALL_ID_PATTERN.test(value);
}
