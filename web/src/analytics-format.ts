// Words and numbers of the Analytics page: rates as percents, medians as durations, group keys as labels.
import type { AnalyticsDimension } from '../../core/domain/analytics.ts';
import { duration } from './format.ts';

/** `0.6667` → `66.7%`; `null` (no denominator) → an em dash. */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** Seconds as `m:ss`; `null` (no acknowledgment) → an em dash. */
export function medianDuration(secs: number | null): string {
  return secs === null ? '—' : duration(secs);
}

const CLASS_LABELS: Record<string, string> = {
  temperature: 'Temperature',
  hours_of_service: 'Hours of service',
  documents: 'Documents / photos',
  delay: 'Delay / ETA',
  speed: 'Speed',
  route: 'Route',
  other: 'Other',
};

/** A group key in words: a day as `Mar 1`, a trigger class as `Violation · Temperature`, `none` per dimension. */
export function groupLabel(dimension: AnalyticsDimension, key: string): string {
  if (dimension === 'day') {
    const date = new Date(`${key}T12:00:00Z`);
    return Number.isNaN(date.getTime())
      ? key
      : date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  }
  if (key === 'none') return dimension === 'campaign' ? 'Single calls' : 'No trigger';
  if (dimension === 'violationType') {
    const [type, cls] = key.split(':');
    const kind = type === 'reminder' ? 'Reminder' : type === 'violation' ? 'Violation' : (type ?? key);
    return `${kind} · ${CLASS_LABELS[cls ?? ''] ?? cls ?? ''}`;
  }
  return key;
}

export const DIMENSION_LABELS: Record<AnalyticsDimension, string> = {
  day: 'Day',
  violationType: 'Violation type',
  campaign: 'Campaign',
};
