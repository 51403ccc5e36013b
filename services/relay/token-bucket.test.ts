// TokenBucket: a burst up to capacity, then the refill rate.
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then refills at the rate', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false); // 0.998 tokens
    expect(bucket.take(500)).toBe(true); // 1 token after 0.5 s at 2/s
    expect(bucket.take(10_000)).toBe(true);
    expect([1, 2, 3].map(() => bucket.take(10_000))).toEqual([true, true, false]); // capped at capacity
  });

  it('charges work into a debt of at most one capacity; frames wait until it is repaid', () => {
    const bucket = new TokenBucket(4, 2, 0);
    expect(bucket.charge(6, 0)).toBe(true); // 4 → -2
    expect(bucket.take(0)).toBe(false);
    expect(bucket.charge(2, 0)).toBe(true); // -4: the floor
    expect(bucket.charge(0.5, 0)).toBe(false);
    expect(bucket.take(2000)).toBe(false); // -4 + 4 = 0
    expect(bucket.take(2500)).toBe(true); // 1 token
  });
});
