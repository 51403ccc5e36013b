// Throttles repeated failed logins per key (email + client IP, and client IP alone), in memory per instance.
import { systemClock, type Clock } from '../../core/clock.ts';

export interface RateLimitPolicy {
  /** Failures within `windowMs` that trigger a lockout. */
  maxFailures: number;
  windowMs: number;
  /** How long a key stays locked once it hit `maxFailures`. */
  lockoutMs: number;
}

/**
 * Per email+IP: 5 failures in 15 min lock that pair for 15 min (slows guessing one account). Per IP: 50 failures in
 * 15 min lock the IP (slows spraying many accounts) while leaving a busy dispatch office behind one NAT usable.
 */
export const LOGIN_LIMITS = {
  perAccount: { maxFailures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 },
  perIp: { maxFailures: 50, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 },
} as const satisfies Record<string, RateLimitPolicy>;

/** Keys tracked at most; beyond this the oldest entries are dropped (bounded memory under a flood). */
export const MAX_TRACKED_KEYS = 50_000;

interface Entry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/**
 * A fixed-window failure counter with lockout. State lives in this process only: with N instances an attacker
 * gets at most N times the budget, which still bounds guessing; a shared store (Firestore/Redis) would make it
 * global at the cost of a write per failed login.
 */
export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: RateLimitPolicy,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Seconds until `key` may try again, or 0 when it is not locked. */
  retryAfterSecs(key: string): number {
    const entry = this.entries.get(key);
    const now = this.clock.now().getTime();
    if (!entry || entry.lockedUntil <= now) return 0;
    return Math.ceil((entry.lockedUntil - now) / 1000);
  }

  recordFailure(key: string): void {
    const now = this.clock.now().getTime();
    let entry = this.entries.get(key);
    if (!entry || now - entry.windowStart >= this.policy.windowMs) {
      this.entries.delete(key);
      entry = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.entries.set(key, entry);
      this.evict();
    }
    entry.failures += 1;
    if (entry.failures >= this.policy.maxFailures) entry.lockedUntil = now + this.policy.lockoutMs;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Takes back one failure counted for `key` in the current window (an attempt that turned out to succeed). */
  forgive(key: string): void {
    const entry = this.entries.get(key);
    if (entry && entry.failures > 0) entry.failures -= 1;
  }

  private evict(): void {
    if (this.entries.size <= MAX_TRACKED_KEYS) return;
    for (const key of this.entries.keys()) {
      this.entries.delete(key);
      if (this.entries.size <= MAX_TRACKED_KEYS) return;
    }
  }
}

/** Both limits of the login route. */
export class LoginRateLimiter {
  private readonly perAccount: FailureLimiter;
  private readonly perIp: FailureLimiter;

  constructor(
    clock: Clock = systemClock,
    limits: { perAccount: RateLimitPolicy; perIp: RateLimitPolicy } = LOGIN_LIMITS,
  ) {
    this.perAccount = new FailureLimiter(limits.perAccount, clock);
    this.perIp = new FailureLimiter(limits.perIp, clock);
  }

  /** Seconds to wait before another attempt for this email from this IP, 0 when allowed. */
  retryAfterSecs(email: string, ip: string): number {
    return Math.max(this.perAccount.retryAfterSecs(accountKey(email, ip)), this.perIp.retryAfterSecs(ip));
  }

  /**
   * Counts an attempt as a failure *before* its password is checked, so parallel guesses cannot outrun the limit
   * (each one is counted before any of them is verified).
   */
  recordAttempt(email: string, ip: string): void {
    this.perAccount.recordFailure(accountKey(email, ip));
    this.perIp.recordFailure(ip);
  }

  /** The attempt succeeded: the email+IP pair starts over and the IP gets its attempt back (a lock stays). */
  recordSuccess(email: string, ip: string): void {
    this.perAccount.reset(accountKey(email, ip));
    this.perIp.forgive(ip);
  }
}

function accountKey(email: string, ip: string): string {
  return `${email}\n${ip}`;
}
