// Query parameters of GET /calls and GET /calls/export → a validated CallFilter (422 naming each bad field).
import { z } from 'zod';
import { CALL_STATUSES } from '../../core/domain/call.ts';
import { OUTCOME_FILTERS } from '../../core/domain/call-facets.ts';
import { MAX_QUERY_TOKENS, queryTokens } from '../../core/domain/search-tokens.ts';
import type { CallFilter } from '../../core/ports/call-store.ts';
import { invalid, validate } from './request-input.ts';

/** Longest `q` accepted, in characters. */
export const MAX_QUERY_TEXT = 500;

const id = z.string().min(1, 'must not be empty').max(128, 'is longer than 128 characters');

/** An ISO 8601 date (`2030-01-31`, UTC midnight) or date-time with offset, normalized to the stored form. */
const instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'must be an ISO 8601 date or date-time with offset (e.g. 2030-01-31 or 2030-01-31T08:00:00Z)',
  )
  .transform((s, ctx) => {
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid date' });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

/** The filter parameters; `limit`/`cursor` are the list's own. */
export const callFilterQuery = z.object({
  status: z.enum(CALL_STATUSES, { error: `must be one of ${CALL_STATUSES.join(', ')}` }).optional(),
  active: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  callSid: id.optional(),
  conversationId: id.optional(),
  driverId: id.optional(),
  from: instant.optional(),
  to: instant.optional(),
  campaignId: id.optional(),
  outcome: z.enum(OUTCOME_FILTERS, { error: `must be one of ${OUTCOME_FILTERS.join(', ')}` }).optional(),
  q: z.string().max(MAX_QUERY_TEXT, `is longer than ${MAX_QUERY_TEXT} characters`).optional(),
});

/** The store filter of validated query values; cross-field problems (`from` after `to`, an empty `q`) are 422. */
export function callFilterOf(q: z.output<typeof callFilterQuery>): CallFilter {
  const words = q.q !== undefined ? queryTokens(q.q) : undefined;
  if (words && words.length === 0) {
    throw invalid([
      { field: 'query.q', problem: 'has no searchable words (only stop words or punctuation)' },
    ]);
  }
  if (words && words.length > MAX_QUERY_TOKENS) {
    throw invalid([{ field: 'query.q', problem: `has more than ${MAX_QUERY_TOKENS} distinct words` }]);
  }
  if (q.from && q.to && q.from >= q.to) {
    throw invalid([{ field: 'query.from', problem: 'must be before to' }]);
  }
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.active ? { active: q.active === 'true' } : {}),
    ...(q.callSid ? { callSid: q.callSid } : {}),
    ...(q.conversationId ? { conversationId: q.conversationId } : {}),
    ...(q.driverId ? { driverId: q.driverId } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.campaignId ? { campaignId: q.campaignId } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(words ? { words } : {}),
  };
}

/** Validates a query holding the filter parameters plus `extra` (e.g. paging), and returns both. */
export function parseCallQuery<E extends z.ZodRawShape>(
  query: Record<string, string>,
  extra: E,
): { filter: CallFilter; rest: z.output<z.ZodObject<E>> } {
  const parsed = validate(callFilterQuery.extend(extra), query, 'query');
  return { filter: callFilterOf(parsed), rest: parsed as z.output<z.ZodObject<E>> };
}
