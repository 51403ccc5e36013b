// Calling windows across time zones, DST changes (skipped and repeated local times) and window edges.
import { describe, expect, it } from 'vitest';
import {
  backoffSecsAfter,
  isInWindow,
  isValidWindow,
  minutesOfDay,
  nextWindowOpening,
  retryAt,
} from './calling-window.ts';

const day = { start: '08:00', end: '21:00' };
const w = (start: string, end: string) => ({ start, end });

describe('nextWindowOpening', () => {
  const cases: [string, string, { start: string; end: string }, string, string][] = [
    // [why, at, window, zone, expected]
    [
      'LA, evening before spring-forward → 08:00 PDT',
      '2026-03-08T06:00:00Z',
      day,
      'America/Los_Angeles',
      '2026-03-08T15:00:00.000Z',
    ],
    [
      'LA, day before spring-forward → 08:00 PST',
      '2026-03-07T06:00:00Z',
      day,
      'America/Los_Angeles',
      '2026-03-07T16:00:00.000Z',
    ],
    [
      'LA, start 02:30 skipped by spring-forward → 03:00 PDT',
      '2026-03-08T09:00:00Z',
      w('02:30', '05:00'),
      'America/Los_Angeles',
      '2026-03-08T10:00:00.000Z',
    ],
    [
      'NY, spring-forward day, after the end → next day',
      '2026-03-08T09:00:00Z',
      w('02:30', '05:00'),
      'America/New_York',
      '2026-03-09T06:30:00.000Z',
    ],
    [
      'NY, fall-back: repeated 01:30 → the earlier (EDT)',
      '2026-11-01T04:00:00Z',
      w('01:30', '05:00'),
      'America/New_York',
      '2026-11-01T05:30:00.000Z',
    ],
    [
      'NY, fall-back: at 01:00 EST (second pass) → 01:30 EST',
      '2026-11-01T06:00:00Z',
      w('01:30', '05:00'),
      'America/New_York',
      '2026-11-01T06:30:00.000Z',
    ],
    [
      'NY, evening before fall-back → 08:00 EST',
      '2026-11-01T02:00:00Z',
      day,
      'America/New_York',
      '2026-11-01T13:00:00.000Z',
    ],
    [
      'Berlin, night of spring-forward → 08:00 CEST',
      '2026-03-28T22:00:00Z',
      day,
      'Europe/Berlin',
      '2026-03-29T06:00:00.000Z',
    ],
    ['Berlin, winter → 08:00 CET', '2026-01-15T21:00:00Z', day, 'Europe/Berlin', '2026-01-16T07:00:00.000Z'],
    [
      'Kolkata (+05:30), after the end → next 08:00 IST',
      '2026-06-01T16:00:00Z',
      day,
      'Asia/Kolkata',
      '2026-06-02T02:30:00.000Z',
    ],
    [
      'Kolkata, before the start → same day',
      '2026-06-01T01:00:00Z',
      day,
      'Asia/Kolkata',
      '2026-06-01T02:30:00.000Z',
    ],
    [
      'Lord Howe, 02:10 skipped by the half-hour jump → 02:30 (+11)',
      '2026-10-03T14:00:00Z',
      w('02:10', '05:00'),
      'Australia/Lord_Howe',
      '2026-10-03T15:30:00.000Z',
    ],
    [
      'Lord Howe, repeated 01:45 → the earlier (+11)',
      '2026-04-04T14:00:00Z',
      w('01:45', '05:00'),
      'Australia/Lord_Howe',
      '2026-04-04T14:45:00.000Z',
    ],
    [
      'Lord Howe, between the two 01:45 → the later (+10:30)',
      '2026-04-04T15:00:00Z',
      w('01:45', '05:00'),
      'Australia/Lord_Howe',
      '2026-04-04T15:15:00.000Z',
    ],
    [
      'UTC, exactly at the end (exclusive) → next day',
      '2026-05-05T21:00:00Z',
      day,
      'UTC',
      '2026-05-06T08:00:00.000Z',
    ],
    [
      'UTC, a millisecond before the start',
      '2026-05-05T07:59:59.999Z',
      day,
      'UTC',
      '2026-05-05T08:00:00.000Z',
    ],
  ];
  it.each(cases)('%s', (_why, at, window, zone, expected) => {
    const opening = nextWindowOpening(new Date(at), window, zone);
    expect(opening.toISOString()).toBe(expected);
    expect(isInWindow(opening, window, zone)).toBe(true);
  });

  it('answers the instant itself inside the window (start inclusive)', () => {
    const at = new Date('2026-07-01T15:00:00Z'); // 08:00 PDT
    expect(nextWindowOpening(at, day, 'America/Los_Angeles')).toBe(at);
  });
});

describe('isInWindow', () => {
  const cases: [string, string, boolean][] = [
    ['2026-07-01T14:59:59.999Z', 'America/Los_Angeles', false], // 07:59:59.999 PDT
    ['2026-07-01T15:00:00.000Z', 'America/Los_Angeles', true], // 08:00 PDT: start inclusive
    ['2026-07-02T03:59:59.999Z', 'America/Los_Angeles', true], // 20:59:59.999 PDT
    ['2026-07-02T04:00:00.000Z', 'America/Los_Angeles', false], // 21:00 PDT: end exclusive
    ['2026-01-10T16:00:00.000Z', 'America/Los_Angeles', true], // 08:00 PST
    ['2026-01-10T15:59:00.000Z', 'America/Los_Angeles', false],
    ['2026-01-10T02:30:00.000Z', 'Asia/Kolkata', true], // 08:00 IST
    ['2026-01-10T02:29:00.000Z', 'Asia/Kolkata', false],
  ];
  it.each(cases)('%s in %s → %s', (at, zone, inside) => {
    expect(isInWindow(new Date(at), day, zone)).toBe(inside);
  });
});

describe('retryAt and backoff', () => {
  const retry = { maxAttempts: 4, backoffSecs: [60, 3600] };

  it('takes the backoff of the failed attempt, the last entry repeating', () => {
    expect([1, 2, 3, 7].map((n) => backoffSecsAfter(retry, n))).toEqual([60, 3600, 3600, 3600]);
  });

  it('is now + backoff inside the window', () => {
    const now = new Date('2026-07-01T18:00:00Z'); // 11:00 PDT
    expect(retryAt(now, retry, 1, day, 'America/Los_Angeles').toISOString()).toBe('2026-07-01T18:01:00.000Z');
  });

  it('is pushed to the next opening when the backoff ends outside the window', () => {
    const now = new Date('2026-07-02T03:30:00Z'); // 20:30 PDT, +1 h = 21:30
    expect(retryAt(now, retry, 2, day, 'America/Los_Angeles').toISOString()).toBe('2026-07-02T15:00:00.000Z');
  });
});

describe('window syntax', () => {
  it('parses HH:MM and refuses anything else', () => {
    expect(minutesOfDay('08:30')).toBe(510);
    expect(minutesOfDay('23:59')).toBe(1439);
    for (const bad of ['8:00', '24:00', '12:60', '']) expect(() => minutesOfDay(bad)).toThrow(TypeError);
  });

  it('needs start before end', () => {
    expect(isValidWindow(day)).toBe(true);
    expect(isValidWindow(w('21:00', '08:00'))).toBe(false);
    expect(isValidWindow(w('08:00', '08:00'))).toBe(false);
    expect(isValidWindow(w('8', '09:00'))).toBe(false);
  });
});
