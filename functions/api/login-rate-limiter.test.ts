import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/clock.ts';
import { LoginRateLimiter } from './login-rate-limiter.ts';

function clockAt(ms: number): Clock & { advance(by: number): void } {
  let now = ms;
  return { now: () => new Date(now), advance: (by) => void (now += by) };
}

describe('LoginRateLimiter', () => {
  const limits = {
    perAccount: { maxFailures: 3, windowMs: 60_000, lockoutMs: 120_000 },
    perIp: { maxFailures: 5, windowMs: 60_000, lockoutMs: 30_000 },
  };

  it('locks an email+IP after maxFailures for lockoutMs, then lets it try again', () => {
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock, limits);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSecs('a@x', '1.1.1.1')).toBe(0);
      limiter.recordAttempt('a@x', '1.1.1.1');
    }
    expect(limiter.retryAfterSecs('a@x', '1.1.1.1')).toBe(120);
    expect(limiter.retryAfterSecs('a@x', '2.2.2.2')).toBe(0);
    clock.advance(119_500);
    expect(limiter.retryAfterSecs('a@x', '1.1.1.1')).toBe(1);
    clock.advance(500);
    expect(limiter.retryAfterSecs('a@x', '1.1.1.1')).toBe(0);
  });

  it('forgets failures older than the window and after a success', () => {
    const clock = clockAt(0);
    const limiter = new LoginRateLimiter(clock, limits);
    limiter.recordAttempt('a@x', 'ip');
    limiter.recordAttempt('a@x', 'ip');
    clock.advance(60_000);
    limiter.recordAttempt('a@x', 'ip');
    expect(limiter.retryAfterSecs('a@x', 'ip')).toBe(0);
    limiter.recordAttempt('a@x', 'ip');
    limiter.recordSuccess('a@x', 'ip');
    limiter.recordAttempt('a@x', 'ip');
    expect(limiter.retryAfterSecs('a@x', 'ip')).toBe(0);
  });

  it('locks an IP spraying many emails', () => {
    const limiter = new LoginRateLimiter(clockAt(0), limits);
    for (let i = 0; i < 5; i++) limiter.recordAttempt(`user${i}@x`, '6.6.6.6');
    expect(limiter.retryAfterSecs('fresh@x', '6.6.6.6')).toBe(30);
  });

  it('gives an IP its attempt back on success, so successful logins never lock a shared office IP', () => {
    const limiter = new LoginRateLimiter(clockAt(0), {
      perAccount: { maxFailures: 5, windowMs: 60_000, lockoutMs: 60_000 },
      perIp: { maxFailures: 3, windowMs: 60_000, lockoutMs: 60_000 },
    });
    for (let i = 0; i < 10; i++) {
      limiter.recordAttempt(`user${i}@x`, '10.0.0.1');
      limiter.recordSuccess(`user${i}@x`, '10.0.0.1');
    }
    expect(limiter.retryAfterSecs('next@x', '10.0.0.1')).toBe(0);
  });
});
