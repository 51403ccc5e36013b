// The one rule book for how an event changes a call; every store adapter applies it inside its append.
import { canTransition, isTerminal, type Call } from './call.ts';
import type { CallEventBody } from './call-event.ts';
import { deriveFacets, sameFacets } from './call-facets.ts';
import { addSearchTokens } from './search-tokens.ts';
import { assertNever } from '../support/assert-never.ts';

/**
 * Applies `body` to `call`. Returns the updated call, or `null` when the event changes nothing and must not be
 * stored (a status that would move the call backwards, e.g. a late `ringing` after `completed`).
 */
export function applyEvent(call: Call, body: CallEventBody, now: string): Call | null {
  const next = applyBody(call, body, now);
  return next && withHistoryFields(next, body);
}

/**
 * Keeps the history fields in step with the event: `facets` re-derived from the call's conclusion, `searchTokens`
 * grown by the words of a final segment or of the post-call transcript. Fields are only set when they have content,
 * so calls without any look as before.
 */
function withHistoryFields(call: Call, body: CallEventBody): Call {
  let next = call;
  const texts =
    body.kind === 'segment' ? [body.text] : body.kind === 'transcript' ? body.turns.map((t) => t.text) : [];
  if (texts.length > 0) {
    const tokens = addSearchTokens(call.searchTokens, texts);
    if (tokens.length > (call.searchTokens?.length ?? 0)) next = { ...next, searchTokens: tokens };
  }
  const facets = deriveFacets(next);
  if (!sameFacets(facets, call.facets)) {
    if (facets) next = { ...next, facets };
    else {
      const { facets: _gone, ...rest } = next;
      next = rest;
    }
  }
  return next;
}

function applyBody(call: Call, body: CallEventBody, now: string): Call | null {
  switch (body.kind) {
    case 'call_status': {
      // A call's first event may record the `queued` it was created with (the API's durable creation event).
      const initial = call.lastSeq === 0 && call.status === 'queued' && body.status === 'queued';
      if (!initial && !canTransition(call.status, body.status)) return null;
      const at = body.occurredAt ?? now;
      const next: Call = { ...call, status: body.status, updatedAt: now };
      if (body.status === 'in-progress' && !next.answeredAt) next.answeredAt = at;
      if (isTerminal(body.status)) {
        next.endedAt = at;
        if (body.durationSecs !== undefined) next.durationSecs = body.durationSecs;
        if (body.reason !== undefined) next.failureReason = body.reason;
      }
      return next;
    }
    case 'segment':
      return { ...call, updatedAt: now };
    case 'transcript': {
      const next: Call = {
        ...call,
        updatedAt: now,
        conversationId: call.conversationId ?? body.conversationId,
        outcome: {
          ...(body.summary !== undefined ? { summary: body.summary } : {}),
          ...(body.callSuccessful !== undefined ? { callSuccessful: body.callSuccessful } : {}),
          ...(body.callResult !== undefined ? { callResult: body.callResult } : {}),
          ...(body.terminationReason !== undefined ? { terminationReason: body.terminationReason } : {}),
          dataCollection: Object.fromEntries(
            Object.entries(body.dataCollection).map(([id, result]) => [id, result.value]),
          ),
        },
      };
      if (body.durationSecs !== undefined && next.durationSecs === undefined)
        next.durationSecs = body.durationSecs;
      return next;
    }
    case 'intervention': {
      // Each action is recorded once: a repeat changes nothing (the first actor and time stand).
      const field = body.action === 'takeover' ? 'takenOver' : 'endRequested';
      if (call[field]) return null;
      const mark = { by: body.by, ...(body.byEmail ? { byEmail: body.byEmail } : {}), at: body.at };
      return { ...call, [field]: mark, updatedAt: now };
    }
    default:
      return assertNever(body);
  }
}
