// Analytics rules: trigger classes, calendar days in a zone, bucket medians, rates.
import { describe, expect, it } from 'vitest';
import {
  ACK_BUCKET_COUNT,
  ackBucketOf,
  dayIn,
  emptyCounts,
  figuresOf,
  histogramMedian,
  triggerClassOf,
  triggerClassesOf,
} from './analytics.ts';

describe('triggerClassOf', () => {
  it.each([
    ['violation', 'Temperature is at 45 degrees but needs to be 38 degrees', 'violation:temperature'],
    ['violation', 'Reefer at 45F, needs 38F', 'violation:temperature'],
    ['reminder', 'Please send loaded trailer pictures', 'reminder:documents'],
    ['violation', 'HOS 11-hour driving limit reached', 'violation:hours_of_service'],
    ['violation', 'Running late for the 9am appointment', 'violation:delay'],
    ['violation', 'Speeding: 78 mph in a 65 zone', 'violation:speed'],
    ['violation', 'Truck went off-route near Tulsa', 'violation:route'],
    ['reminder', 'Call dispatch when you can', 'reminder:other'],
  ] as const)('%s "%s" → %s', (type, description, expected) => {
    expect(triggerClassOf({ type, description })).toBe(expected);
  });

  it('gives a call each distinct class once, and `none` without triggers', () => {
    const t = { type: 'violation' as const, description: 'reefer too warm' };
    expect(triggerClassesOf({ triggers: [t, t] })).toEqual(['violation:temperature']);
    expect(triggerClassesOf({ triggers: [] })).toEqual(['none']);
  });
});

describe('dayIn', () => {
  it('uses the calendar of the zone', () => {
    expect(dayIn('2030-03-02T04:00:00.000Z', 'America/Chicago')).toBe('2030-03-01');
    expect(dayIn('2030-03-02T07:00:00.000Z', 'America/Chicago')).toBe('2030-03-02');
    expect(dayIn('2030-03-02T04:00:00.000Z', 'UTC')).toBe('2030-03-02');
  });
});

describe('histogramMedian', () => {
  const hist = (...secs: number[]) => {
    const h = new Array<number>(ACK_BUCKET_COUNT).fill(0);
    for (const s of secs) h[ackBucketOf(s)]! += 1;
    return h;
  };
  it.each([
    [[], null],
    [[20], 22.5],
    [[20, 25, 100], 26.3],
    [[10, 10, 10, 10], 7.5],
    [[5000, 9000], 3600],
  ])('median of %j is %s', (secs, expected) => {
    expect(histogramMedian(hist(...secs))).toBe(expected);
  });
});

describe('figuresOf', () => {
  it('answers null rates without a denominator', () => {
    expect(figuresOf(emptyCounts())).toMatchObject({
      answerRate: null,
      acknowledgmentRate: null,
      medianSecsToAcknowledge: null,
    });
    expect(figuresOf({ ...emptyCounts(), dialed: 3, connected: 2, acknowledged: 1 })).toMatchObject({
      answerRate: 0.6667,
      acknowledgmentRate: 0.5,
    });
  });
});
