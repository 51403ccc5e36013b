// Analytics page wording: percents, medians and group labels.
import { describe, expect, it } from 'vitest';
import { groupLabel, medianDuration, percent } from './analytics-format.ts';

describe('analytics format', () => {
  it.each([
    [null, '—'],
    [0, '0.0%'],
    [0.6667, '66.7%'],
    [1, '100.0%'],
  ])('percent(%s) = %s', (rate, text) => expect(percent(rate)).toBe(text));

  it('shows medians as durations', () => {
    expect(medianDuration(null)).toBe('—');
    expect(medianDuration(90)).toBe('1:30');
  });

  it.each([
    ['day', '2030-03-01', 'Mar 1'],
    ['violationType', 'violation:temperature', 'Violation · Temperature'],
    ['violationType', 'reminder:documents', 'Reminder · Documents / photos'],
    ['violationType', 'none', 'No trigger'],
    ['campaign', 'none', 'Single calls'],
    ['campaign', 'cmp_1', 'cmp_1'],
  ] as const)('groupLabel(%s, %s) = %s', (dimension, key, label) => {
    expect(groupLabel(dimension, key)).toBe(label);
  });
});
