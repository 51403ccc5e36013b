// GET /calls/export: the caller's org's calls (same filters as GET /calls) as CSV, streamed page by page.
import { z } from 'zod';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { CALL_EXPORT_COLUMNS, callExportRow } from '../../core/domain/call-export.ts';
import type { CallPage, CallStore } from '../../core/ports/call-store.ts';
import { csvRow } from '../../core/support/csv.ts';
import { streamed, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import { parseCallQuery } from './call-filters.ts';
import { queryObject } from './request-input.ts';

/** Calls read per store page while exporting: few round trips, small buffers (one page in memory at a time). */
export const EXPORT_PAGE_SIZE = 100;

export interface CallExportDeps {
  verifyToken: TokenVerifier;
  store: CallStore;
}

const exportQuery = { format: z.enum(['csv'], { error: 'must be csv' }).optional() };

/**
 * Streams one CSV row per matching call, newest first, with a header row. The first page is read before the
 * response starts, so a bad cursor or an unavailable store still answers with an error status; later failures cut
 * the connection (see `StreamBody`). The next page is read only once the previous one was handed to the client,
 * and not at all after the client disconnected.
 */
export function createCallExportHandler(deps: CallExportDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const { filter } = parseCallQuery(queryObject(req.query), exportQuery);
    const read = (cursor?: string) =>
      deps.store.listCalls(principal.org, filter, { limit: EXPORT_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    const first = await read();
    return streamed(
      200,
      {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="calls.csv"',
        'cache-control': 'no-store',
      },
      (signal) => csvChunks(first, read, signal),
    );
  });
}

async function* csvChunks(
  first: CallPage,
  read: (cursor?: string) => Promise<CallPage>,
  signal: AbortSignal,
): AsyncGenerator<string> {
  yield csvRow(CALL_EXPORT_COLUMNS);
  let page = first;
  for (;;) {
    if (page.calls.length > 0) yield page.calls.map((c) => csvRow(callExportRow(c))).join('');
    if (!page.nextCursor || signal.aborted) return;
    page = await read(page.nextCursor);
  }
}
