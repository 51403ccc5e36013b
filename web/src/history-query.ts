// History filters as the dashboard keeps them: in the URL (deep links) and as the API's GET /calls query.
import { OUTCOME_FILTERS, type OutcomeFilter } from '../../core/domain/call-facets.ts';

/** What the History form holds; dates are the dispatcher's local calendar days (`YYYY-MM-DD`), both inclusive. */
export interface HistoryFilters {
  from?: string;
  until?: string;
  driverId?: string;
  outcome?: OutcomeFilter;
  campaignId?: string;
  q?: string;
}

const KEYS = ['from', 'until', 'driverId', 'outcome', 'campaignId', 'q'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Filters from a deep link's query; unknown keys and malformed values are dropped. */
export function filtersFromUrl(params: URLSearchParams): HistoryFilters {
  const out: HistoryFilters = {};
  for (const key of KEYS) {
    const value = params.get(key)?.trim();
    if (!value) continue;
    if (key === 'outcome') {
      if ((OUTCOME_FILTERS as readonly string[]).includes(value)) out.outcome = value as OutcomeFilter;
    } else if (key === 'from' || key === 'until') {
      if (DAY.test(value)) out[key] = value;
    } else out[key] = value;
  }
  return out;
}

/** The deep-link query of `filters` (stable key order, empty values left out). */
export function filtersToUrl(filters: HistoryFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

/**
 * The API query of `filters`: local days become instants (`from` at the day's local midnight, `until` as `to` at
 * the next day's local midnight, the API's `to` being exclusive).
 */
export function filtersToApi(filters: HistoryFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.from) params.set('from', localMidnight(filters.from, 0));
  if (filters.until) params.set('to', localMidnight(filters.until, 1));
  if (filters.driverId) params.set('driverId', filters.driverId);
  if (filters.outcome) params.set('outcome', filters.outcome);
  if (filters.campaignId) params.set('campaignId', filters.campaignId);
  if (filters.q) params.set('q', filters.q);
  return params;
}

function localMidnight(day: string, plusDays: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays).toISOString();
}
