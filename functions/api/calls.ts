// GET /calls, /calls/{callId}, /calls/{callId}/events: the caller's org's calls and their durable event streams.
import { z } from 'zod';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { publicCall } from '../../core/domain/call.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { CallEventsResponse, GetCallResponse, ListCallsResponse } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { ownedCall, withAuth } from './authenticate.ts';
import { parseCallQuery } from './call-filters.ts';
import { queryObject, validate } from './request-input.ts';

/** Page sizes: defaults keep responses small; maxima bound one request's store reads. */
export const PAGE_LIMITS = {
  callsDefault: 20,
  callsMax: 100,
  eventsDefault: 100,
  eventsMax: 500,
} as const;

export interface CallsDeps {
  verifyToken: TokenVerifier;
  store: CallStore;
}

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const listPaging = {
  limit: int(1, PAGE_LIMITS.callsMax).optional(),
  cursor: z.string().max(512, 'is too long').optional(),
};

const eventsQuery = z.object({
  afterSeq: int(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: int(1, PAGE_LIMITS.eventsMax).optional(),
});

/**
 * Newest first, filtered (see `call-filters.ts`); `nextCursor` (opaque) fetches the next, older page. With `q`, a
 * page may be short with `scanLimited: true` (the store's scan bound was reached; follow the cursor). Phone
 * numbers and the search index are never returned.
 */
export function createListCallsHandler(deps: CallsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const { filter, rest: q } = parseCallQuery(queryObject(req.query), listPaging);
    const page = await deps.store.listCalls(principal.org, filter, {
      limit: q.limit ?? PAGE_LIMITS.callsDefault,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return json(200, {
      calls: page.calls.map(publicCall),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      ...(page.scanLimited ? { scanLimited: true } : {}),
    } satisfies ListCallsResponse);
  });
}

export function createGetCallHandler(deps: CallsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const call = await ownedCall(deps.store, principal, req.params.callId ?? '');
    return json(200, publicCall(call) satisfies GetCallResponse);
  });
}

/**
 * Durable events with `seq > afterSeq`, ascending. `nextAfterSeq` is present when the page is full (more may
 * follow): pass it as `afterSeq` to continue. `lastSeq` is the call's highest seq when the request started.
 */
export function createCallEventsHandler(deps: CallsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const q = validate(eventsQuery, queryObject(req.query), 'query');
    const call = await ownedCall(deps.store, principal, req.params.callId ?? '');
    const limit = q.limit ?? PAGE_LIMITS.eventsDefault;
    const events = await deps.store.eventsAfter(call.callId, q.afterSeq ?? 0, limit);
    const last = events[events.length - 1];
    return json(200, {
      callId: call.callId,
      lastSeq: call.lastSeq,
      events,
      ...(events.length === limit && last ? { nextAfterSeq: last.seq } : {}),
    } satisfies CallEventsResponse);
  });
}
