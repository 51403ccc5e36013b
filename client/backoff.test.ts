// Backoff stays within [cap/2, cap] and grows to the ceiling.
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

describe('backoffDelay', () => {
  it.each([
    [0, 0, 250],
    [0, 1, 500],
    [1, 0, 500],
    [3, 1, 4000],
    [20, 1, 30_000],
    [20, 0, 15_000],
  ])('attempt %i with random %f → %i ms', (attempt, r, expected) => {
    expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => r)).toBe(expected);
  });
});
