// Transcript search paging shared by every CallStore: read batches newest first, keep matches, stop at a bound.
import type { Call } from '../domain/call.ts';
import { SEARCH_SCAN_LIMIT, type CallPage } from '../ports/call-store.ts';
import { encodeCursor } from './store-keys.ts';

/** Reads up to `count` calls older than `after` (all when undefined), newest first, from the store's index query. */
export type CallBatchReader = (
  after: { createdAt: string; callId: string } | undefined,
  count: number,
) => Promise<Call[]>;

/** Calls read per batch: a few round trips per page without reading far past a full page. */
const SCAN_BATCH = 100;

/**
 * One page of a post-filtered listing: reads batches until `limit` calls match, the history ends, or `scanLimit`
 * calls were read (then `scanLimited`, with a cursor at the last call read). Once the page is full, the rest of the
 * batch in hand decides whether a next page is offered; a further match is not searched for, so that cursor may
 * lead to an empty page.
 */
export async function scanPage(
  read: CallBatchReader,
  matches: (call: Call) => boolean,
  page: { limit: number; after?: { createdAt: string; callId: string }; scanLimit?: number },
): Promise<CallPage> {
  const scanLimit = Math.max(1, page.scanLimit ?? SEARCH_SCAN_LIMIT);
  const found: Call[] = [];
  let after = page.after;
  let scanned = 0;
  for (;;) {
    const count = Math.min(Math.max(SCAN_BATCH, page.limit + 1), scanLimit - scanned);
    const batch = await read(after, count);
    for (let i = 0; i < batch.length; i++) {
      const call = batch[i]!;
      scanned++;
      if (!matches(call)) continue;
      found.push(call);
      if (found.length === page.limit) {
        const more = batch.length === count || batch.slice(i + 1).some(matches);
        return { calls: found, ...(more ? { nextCursor: encodeCursor(call) } : {}) };
      }
    }
    const last = batch[batch.length - 1];
    if (batch.length < count || !last) return { calls: found };
    after = { createdAt: last.createdAt, callId: last.callId };
    if (scanned >= scanLimit) return { calls: found, nextCursor: encodeCursor(last), scanLimited: true };
  }
}
