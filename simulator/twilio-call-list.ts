// Twilio's Calls list read (GET …/Calls.json): query filters, newest-first order and the 2010 API page envelope.
import type { CallRecord } from './state.ts';
import type { TwilioCallStatus } from './types.ts';

/** Twilio's default and largest `PageSize`. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

const STATUSES: readonly TwilioCallStatus[] = [
  'queued',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
];

export interface CallListQuery {
  to: string | null;
  from: string | null;
  status: TwilioCallStatus | null;
  /** `StartTime=` day (a date, or the UTC day of a date-time): [from, until). */
  startDay: { from: Date; until: Date } | null;
  /** `StartTime>`: started at or after. */
  startAfter: Date | null;
  /** `StartTime<`: started at or before. */
  startBefore: Date | null;
  page: number;
  pageSize: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time such as the SDK sends (`2026-01-05T14:03:00Z`). */
function parseInstant(value: string): Date | null {
  if (!DATE_ONLY.test(value) && !DATE_TIME.test(value)) return null;
  const date = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function nonNegativeInt(value: string | null, fallback: number): number | null {
  if (value === null) return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : null;
}

/**
 * Parses the list filters: `To`, `From`, `Status`, `StartTime` (that UTC day), `StartTime>` (on or after) and
 * `StartTime<` (on or before), `Page`, `PageSize` (1–1000). Twilio's docs write the bounds `StartTime>=2009-07-06`:
 * in a query string that is the key `StartTime>` (what the SDK sends for `startTimeAfter`) with the value after `=`.
 * Dates are `YYYY-MM-DD` (midnight UTC) or date-times, which the simulator honours to the second; Twilio documents
 * day granularity only. Answers the name of the first bad parameter instead of a query.
 */
export function parseCallListQuery(search: string): CallListQuery | { invalid: string } {
  const q = new URLSearchParams(search);
  const status = q.get('Status');
  if (status !== null && !(STATUSES as readonly string[]).includes(status)) return { invalid: 'Status' };
  const bounds: Partial<
    Record<'StartTime' | 'StartTime>' | 'StartTime>=' | 'StartTime<' | 'StartTime<=', Date>
  > = {};
  for (const key of ['StartTime', 'StartTime>', 'StartTime>=', 'StartTime<', 'StartTime<='] as const) {
    const raw = q.get(key);
    if (raw === null) continue;
    const at = parseInstant(raw);
    if (!at) return { invalid: key };
    bounds[key] = at;
  }
  const pageSize = nonNegativeInt(q.get('PageSize'), DEFAULT_PAGE_SIZE);
  if (pageSize === null || pageSize < 1 || pageSize > MAX_PAGE_SIZE) return { invalid: 'PageSize' };
  const page = nonNegativeInt(q.get('Page'), 0);
  if (page === null) return { invalid: 'Page' };
  const day = bounds.StartTime;
  const dayStart = day ? new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())) : null;
  return {
    to: q.get('To'),
    from: q.get('From'),
    status: status as TwilioCallStatus | null,
    startDay: dayStart ? { from: dayStart, until: new Date(dayStart.getTime() + 86_400_000) } : null,
    startAfter: bounds['StartTime>'] ?? null,
    startBefore: bounds['StartTime<'] ?? null,
    page,
    pageSize,
  };
}

/** Twilio compares at the second its dates carry (RFC 2822 has no fractions). */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * The calls matching `query`, newest first (by creation). A call that has not started dialing (`queued`) has no
 * start time, so any StartTime filter leaves it out, as on Twilio.
 */
export function selectCalls(calls: Iterable<CallRecord>, query: CallListQuery): CallRecord[] {
  const matches: CallRecord[] = [];
  for (const call of calls) {
    if (query.to !== null && call.to !== query.to) continue;
    if (query.from !== null && call.from !== query.from) continue;
    if (query.status !== null && call.status !== query.status) continue;
    if (query.startDay || query.startAfter || query.startBefore) {
      if (!call.startTime) continue;
      const at = seconds(call.startTime);
      const day = query.startDay;
      if (day && (at < seconds(day.from) || at >= seconds(day.until))) continue;
      if (query.startAfter && at < seconds(query.startAfter)) continue;
      if (query.startBefore && at > seconds(query.startBefore)) continue;
    }
    matches.push(call);
  }
  // Map order is creation order; a stable reverse keeps same-millisecond calls newest first too.
  return matches.reverse();
}

/** The 2010 API list envelope: records under `calls` plus paging URIs that keep the filters. */
export function callListPage(args: {
  listPath: string;
  search: string;
  query: CallListQuery;
  matches: readonly CallRecord[];
  resource: (call: CallRecord) => Record<string, unknown>;
}): Record<string, unknown> {
  const { listPath, query, matches } = args;
  const pageUri = (page: number) => {
    const params = new URLSearchParams(args.search);
    params.delete('Page');
    params.delete('PageToken');
    params.set('PageSize', String(query.pageSize));
    params.set('Page', String(page));
    return `${listPath}?${params.toString()}`;
  };
  const start = query.page * query.pageSize;
  const records = matches.slice(start, start + query.pageSize);
  const hasNext = start + query.pageSize < matches.length;
  return {
    calls: records.map(args.resource),
    end: start + Math.max(records.length, 1) - 1,
    first_page_uri: pageUri(0),
    next_page_uri: hasNext ? pageUri(query.page + 1) : null,
    page: query.page,
    page_size: query.pageSize,
    previous_page_uri: query.page > 0 ? pageUri(query.page - 1) : null,
    start,
    uri: pageUri(query.page),
  };
}
