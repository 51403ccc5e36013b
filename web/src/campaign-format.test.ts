// driverLocalTime and age: times as the driver's clock shows them, with the zone, DST included.
import { describe, expect, it } from 'vitest';
import { age, driverLocalTime } from './campaign-format.ts';

describe('driverLocalTime', () => {
  it('shows the driver’s wall clock and zone abbreviation, DST-aware', () => {
    expect(driverLocalTime('2026-01-15T14:00:00Z', 'America/Chicago')).toBe('Jan 15, 8:00 AM CST');
    expect(driverLocalTime('2026-07-15T13:00:00Z', 'America/Chicago')).toBe('Jul 15, 8:00 AM CDT');
    expect(driverLocalTime('2026-07-15T15:00:00Z', 'America/Los_Angeles')).toBe('Jul 15, 8:00 AM PDT');
  });

  it('falls back to an offset where the zone has no abbreviation, and to the viewer for an unknown zone', () => {
    expect(driverLocalTime('2026-01-15T07:00:00Z', 'Europe/Berlin')).toBe('Jan 15, 8:00 AM GMT+1');
    expect(driverLocalTime('2026-01-15T07:00:00Z', 'Not/AZone')).toMatch(/Jan 15/);
    expect(driverLocalTime(undefined, 'America/Chicago')).toBe('');
    expect(driverLocalTime('garbage', 'America/Chicago')).toBe('');
  });
});

describe('age', () => {
  const now = new Date('2026-01-15T12:00:00Z');
  it.each([
    ['2026-01-15T11:59:30Z', 'just now'],
    ['2026-01-15T11:55:00Z', '5 min'],
    ['2026-01-15T09:00:00Z', '3 h'],
    ['2026-01-13T12:00:00Z', '2 d'],
  ])('%s → %s', (iso, expected) => expect(age(iso, now)).toBe(expected));
});
