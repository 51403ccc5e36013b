import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/support/clock.ts';
import { LOGIN_LIMITS, LoginRateLimiter, type LoginLimits } from './login-rate-limiter.ts';

function clockAt(ms: number): Clock & { advance(by: number): void } {
  let now = ms;
  return { now: () => new Date(now), advance: (by) => void (now += by) };
}

const limits: LoginLimits = {
  perAddress: { maxFailures: 5, windowMs: 60_000, lockoutMs: 30_000 },
  perAccount: { freeFailures: 3, windowMs: 60_000, baseLockMs: 1000, maxLockMs: 8000 },
  familiarMs: 3_600_000,
};

/** One attempt the way the handler makes it: refused when throttled, else counted. */
function attempt(limiter: LoginRateLimiter, email: string, address: string): number {
  const throttle = limiter.throttled(email, address);
  if (throttle) return throttle.retryAfterSecs;
  limiter.recordAttempt(email, address);
  return 0;
}

describe('LoginRateLimiter per address', () => {
  it('locks an address after maxFailures across accounts, for lockoutMs, and only that address', () => {
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock, limits);
    for (let i = 0; i < 5; i++) expect(attempt(limiter, `user${i}@x`, '6.6.6.6')).toBe(0);
    expect(limiter.throttled('fresh@x', '6.6.6.6')).toEqual({ limit: 'address', retryAfterSecs: 30 });
    expect(limiter.throttled('fresh@x', '7.7.7.7')).toBeUndefined();
    clock.advance(29_500);
    expect(limiter.throttled('fresh@x', '6.6.6.6')?.retryAfterSecs).toBe(1);
    clock.advance(500);
    expect(limiter.throttled('fresh@x', '6.6.6.6')).toBeUndefined();
  });

  it('gives an address its attempt back on success, so a busy office behind one NAT never locks itself', () => {
    const limiter = new LoginRateLimiter(clockAt(0), limits);
    for (let i = 0; i < 20; i++) {
      expect(attempt(limiter, `user${i}@x`, '10.0.0.1')).toBe(0);
      limiter.recordSuccess(`user${i}@x`, '10.0.0.1');
    }
    expect(limiter.throttled('next@x', '10.0.0.1')).toBeUndefined();
  });
});

describe('LoginRateLimiter per account', () => {
  it.each([
    // failures so far → lock after the next failure (1 s doubling, capped at 8 s)
    [3, 1],
    [4, 2],
    [5, 4],
    [6, 8],
    [10, 8],
  ])('after %i failures the next one locks the account for %i s (from any address)', (before, secs) => {
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock, limits);
    for (let i = 0; i <= before; i++) {
      const address = `203.0.113.${i}`;
      const wait = limiter.throttled('alice@x', address)?.retryAfterSecs ?? 0;
      clock.advance(wait * 1000);
      expect(attempt(limiter, 'alice@x', address)).toBe(0);
    }
    expect(limiter.throttled('alice@x', '198.51.100.1')).toEqual({ limit: 'account', retryAfterSecs: secs });
    expect(limiter.throttled('bob@x', '198.51.100.1')).toBeUndefined();
  });

  it('a flood from many addresses keeps a correct password out for at most maxLockMs, and does not stretch it', () => {
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock, limits);
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      if (attempt(limiter, 'alice@x', `10.${i >> 8}.${i & 255}.1`) > 0) refused += 1;
      clock.advance(5); // the flood spans 5 s of the 8 s lock
    }
    expect(refused).toBeGreaterThan(990);
    const throttle = limiter.throttled('alice@x', '192.0.2.1');
    expect(throttle?.limit).toBe('account');
    expect(throttle!.retryAfterSecs).toBeLessThanOrEqual(limits.perAccount.maxLockMs / 1000);
    clock.advance(throttle!.retryAfterSecs * 1000);
    expect(attempt(limiter, 'alice@x', '192.0.2.1')).toBe(0);
    limiter.recordSuccess('alice@x', '192.0.2.1');
  });

  it('an address that logged in to the account skips its slow-down; others still wait', () => {
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock, limits);
    expect(attempt(limiter, 'alice@x', '192.0.2.1')).toBe(0);
    limiter.recordSuccess('alice@x', '192.0.2.1');
    for (let i = 0; i < 100; i++) attempt(limiter, 'alice@x', `203.0.113.${i}`);
    expect(limiter.throttled('alice@x', '198.51.100.9')?.limit).toBe('account');
    expect(limiter.throttled('alice@x', '192.0.2.1')).toBeUndefined();
    // Familiarity expires.
    clock.advance(limits.familiarMs);
    for (let i = 0; i < 10; i++) attempt(limiter, 'alice@x', `203.0.114.${i}`);
    expect(limiter.throttled('alice@x', '192.0.2.1')?.limit).toBe('account');
  });

  it('forgets failures after a quiet window and after a success', () => {
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock, limits);
    for (let i = 0; i < 3; i++) attempt(limiter, 'alice@x', `203.0.113.${i}`);
    clock.advance(60_000);
    expect(attempt(limiter, 'alice@x', '203.0.113.9')).toBe(0);
    expect(limiter.throttled('alice@x', '203.0.113.9')).toBeUndefined();
    for (let i = 0; i < 2; i++) attempt(limiter, 'alice@x', `203.0.113.${i}`);
    limiter.recordSuccess('alice@x', '203.0.113.1');
    for (let i = 0; i < 2; i++) attempt(limiter, 'alice@x', `203.0.115.${i}`);
    expect(limiter.throttled('alice@x', '198.51.100.1')).toBeUndefined();
  });

  it('the defaults keep any account wait at or under 60 s', () => {
    expect(LOGIN_LIMITS.perAccount.maxLockMs).toBeLessThanOrEqual(60_000);
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock);
    for (let i = 0; i < 500; i++) {
      attempt(limiter, 'alice@x', `10.1.${i >> 8}.${i & 255}`);
      const wait = limiter.throttled('alice@x', '192.0.2.1')?.retryAfterSecs ?? 0;
      expect(wait).toBeLessThanOrEqual(60);
      clock.advance(1000);
    }
  });
});
