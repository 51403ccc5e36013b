// GET /analytics: the caller's org's dispatch figures per day, trigger class or campaign, read from counter documents.
import { z } from 'zod';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import {
  ANALYTICS_DIMENSIONS,
  addCounts,
  dayIn,
  emptyCounts,
  figuresOf,
  type AnalyticsCounts,
} from '../../core/domain/analytics.ts';
import type { AnalyticsStore } from '../../core/ports/analytics-store.ts';
import type { AnalyticsResponse, AnalyticsRow } from '../../core/protocol/rest-api.ts';
import type { Clock } from '../../core/support/clock.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import { invalid, queryObject, validate } from './request-input.ts';

/** Range of `GET /analytics`: at most a leap year of days; 30 days ending today when not given. */
export const ANALYTICS_RANGE = { maxDays: 366, defaultDays: 30 } as const;

export interface AnalyticsDeps {
  verifyToken: TokenVerifier;
  analytics: AnalyticsStore;
  clock: Clock;
  config: { orgDefaultTimezone: string };
}

const DAY_MS = 86_400_000;

const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && toDay(Date.parse(`${d}T00:00:00Z`)) === d, {
    message: 'is not a calendar date',
  });

const query = z.object({
  from: calendarDay.optional(),
  to: calendarDay.optional(),
  groupBy: z.enum(ANALYTICS_DIMENSIONS, { error: 'must be day, violationType or campaign' }).optional(),
});

/**
 * Figures of the org between `from` and `to` (inclusive calendar days in the org's zone) grouped by `groupBy`
 * (default `day`), plus totals. 422 `validation_failed` for a bad date, `from` after `to` or a range over
 * `ANALYTICS_RANGE.maxDays`.
 */
export function createAnalyticsHandler(deps: AnalyticsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const q = validate(query, queryObject(req.query), 'query');
    const timeZone = deps.config.orgDefaultTimezone;
    const to = q.to ?? dayIn(deps.clock.now().toISOString(), timeZone);
    const from = q.from ?? toDay(Date.parse(`${to}T00:00:00Z`) - (ANALYTICS_RANGE.defaultDays - 1) * DAY_MS);
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
    if (span < 1) throw invalid([{ field: 'query.from', problem: 'must not be after to' }]);
    if (span > ANALYTICS_RANGE.maxDays) {
      throw invalid([
        { field: 'query.to', problem: `must be within ${ANALYTICS_RANGE.maxDays} days of from` },
      ]);
    }
    const groupBy = q.groupBy ?? 'day';
    const range = { fromDay: from, toDay: to };
    const days = await deps.analytics.read(principal.org, 'day', range);
    const grouped = groupBy === 'day' ? days : await deps.analytics.read(principal.org, groupBy, range);

    const byKey = new Map<string, AnalyticsCounts>();
    if (groupBy === 'day') {
      for (let t = Date.parse(`${from}T00:00:00Z`), i = 0; i < span; i++, t += DAY_MS) {
        byKey.set(toDay(t), emptyCounts());
      }
    }
    for (const c of grouped) addCounts(byKey.get(c.key) ?? setNew(byKey, c.key), c.counts);
    const rows: AnalyticsRow[] = [...byKey].map(([key, counts]) => ({ key, ...figuresOf(counts) }));
    if (groupBy !== 'day') rows.sort((a, b) => b.dialed - a.dialed || a.key.localeCompare(b.key));
    const totals = days.reduce((sum, c) => addCounts(sum, c.counts), emptyCounts());
    return json(200, {
      from,
      to,
      groupBy,
      timeZone,
      rows,
      totals: figuresOf(totals),
    } satisfies AnalyticsResponse);
  });
}

function setNew(map: Map<string, AnalyticsCounts>, key: string): AnalyticsCounts {
  const counts = emptyCounts();
  map.set(key, counts);
  return counts;
}

/** `YYYY-MM-DD` of a UTC midnight timestamp (the handler does calendar arithmetic in UTC, zone-free). */
function toDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
