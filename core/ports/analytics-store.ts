// Port: the analytics counter documents (per org, dimension, day and group key), each fact counted exactly once.
import type {
  AnalyticsCounts,
  AnalyticsDimension,
  AnalyticsFact,
  AnalyticsGroup,
} from '../domain/analytics.ts';

/** One fact to count in every group it belongs to, under a marker that makes counting it idempotent. */
export interface AnalyticsEntry {
  orgId: string;
  /** Unique per (subject, metric) within the org, e.g. `call:<callId>:dialed`, `attention:<id>:resolved`. */
  markerId: string;
  /** `YYYY-MM-DD` in the org's time zone: the day the fact's counts land on. */
  day: string;
  groups: AnalyticsGroup[];
  fact: AnalyticsFact;
}

/** One counter document: the counts of one group on one day. */
export interface AnalyticsCounter {
  dimension: AnalyticsDimension;
  key: string;
  day: string;
  counts: AnalyticsCounts;
}

/**
 * Contract (checked by `analytics-store.contract.ts`):
 * - `record` adds the fact's counts to the counter of (org, group's dimension, day, group's key) of every group and
 *   stores the marker (org, markerId), all in one atomic step: it answers `true` when it counted, `false` when the
 *   marker existed (nothing changes). Concurrent records of one marker, from any number of processes, count once.
 * - `read` returns the org's counters of one dimension whose day lies in [fromDay, toDay] (inclusive; days compare
 *   as `YYYY-MM-DD` strings), in no particular order; other orgs' counters never appear.
 * - Unavailability of the backing service surfaces as `AppError('store_unavailable')` (the caller retries).
 */
export interface AnalyticsStore {
  record(entry: AnalyticsEntry): Promise<boolean>;
  read(
    orgId: string,
    dimension: AnalyticsDimension,
    range: { fromDay: string; toDay: string },
  ): Promise<AnalyticsCounter[]>;
}
