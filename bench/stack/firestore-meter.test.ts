// The hottest-document figure: most writes within any window, over ascending write times.
import { describe, expect, it } from 'vitest';
import { maxInWindow } from './firestore-meter.ts';

describe('maxInWindow', () => {
  it('is 0 without writes and 1 for a lone write', () => {
    expect(maxInWindow([], 1000)).toBe(0);
    expect(maxInWindow([5], 1000)).toBe(1);
  });

  it('counts writes closer than the window together, and writes a full window apart separately', () => {
    expect(maxInWindow([0, 999], 1000)).toBe(2);
    expect(maxInWindow([0, 1000, 2000], 1000)).toBe(1);
    expect(maxInWindow([0, 1500, 1600, 2400, 4000], 1000)).toBe(3);
  });
});
