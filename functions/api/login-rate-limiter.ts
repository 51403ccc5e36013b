// Throttles failed logins per client address (a lock) and per account (a short, capped slow-down), in memory.
import { systemClock, type Clock } from '../../core/support/clock.ts';

/** A hard limit: `maxFailures` within `windowMs` lock the key for `lockoutMs`. */
export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

/**
 * A slow-down: the first `freeFailures` failures cost nothing; each further one locks the key for
 * `baseLockMs * 2^(failures - freeFailures - 1)`, capped at `maxLockMs`. The count decays to 0 after `windowMs` without
 * a failure.
 */
export interface BackoffPolicy {
  freeFailures: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
}

export interface LoginLimits {
  perAddress: LockoutPolicy;
  perAccount: BackoffPolicy;
  /** How long an address that logged in to an account stays exempt from that account's slow-down. */
  familiarMs: number;
}

/**
 * Per client address: 50 failures in 15 min lock the address for 15 min. It stops one address guessing, across
 * all accounts, and only ever locks out that address (a dispatch office behind one NAT has room for its typos, and
 * its successful logins give their attempts back).
 *
 * Per account (normalized email, from any address): after 5 failures in 15 min each further failure locks the
 * account for 1 s, 2 s, 4 s … at most 60 s (the 6th failure locks it for 1 s, the 12th and later for 60 s). That
 * bounds a guesser spread over many addresses to about one guess a minute per instance, while the wait anyone is
 * ever told is at most 60 s, and attempts refused during a lock are not counted, so a flood cannot stretch it.
 * Addresses that logged in to the account within 30 days skip this slow-down entirely: the account's owner at a
 * usual address is never kept out by other people's failures. From a new address the owner waits at most 60 s per
 * try; an attacker who keeps guessing right as each lock ends can win that race again and again, so while such an
 * attack lasts a new address may need several tries (the address that logged in before never does).
 */
export const LOGIN_LIMITS: LoginLimits = {
  perAddress: { maxFailures: 50, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 },
  perAccount: { freeFailures: 5, windowMs: 15 * 60_000, baseLockMs: 1000, maxLockMs: 60_000 },
  familiarMs: 30 * 24 * 60 * 60_000,
};

/** Keys tracked at most per table; beyond this the oldest entries are dropped (bounded memory under a flood). */
export const MAX_TRACKED_KEYS = 50_000;

/** Which limit refused an attempt, and for how long. */
export interface Throttle {
  limit: 'address' | 'account';
  retryAfterSecs: number;
}

/**
 * Both limits of the login route, designed so that nobody's failures but your own can keep a correct password out
 * for long (the reasoning is on {@link LOGIN_LIMITS}). State lives in this process only: with N instances an
 * attacker gets at most N times the budget, which still bounds guessing; a shared store would make it global at the
 * cost of a write per failed login.
 */
export class LoginRateLimiter {
  private readonly perAddress: LockoutCounter;
  private readonly perAccount: BackoffCounter;
  private readonly familiar: ExpiringSet;

  constructor(
    private readonly clock: Clock = systemClock,
    limits: LoginLimits = LOGIN_LIMITS,
  ) {
    this.perAddress = new LockoutCounter(limits.perAddress);
    this.perAccount = new BackoffCounter(limits.perAccount);
    this.familiar = new ExpiringSet(limits.familiarMs);
  }

  /** Whether an attempt for `email` from `address` must wait now, and how long; undefined when it may go ahead. */
  throttled(email: string, address: string): Throttle | undefined {
    const now = this.now();
    const addressWait = this.perAddress.waitMs(address, now);
    const accountWait = this.familiar.has(pairKey(email, address), now)
      ? 0
      : this.perAccount.waitMs(email, now);
    const wait = Math.max(addressWait, accountWait);
    if (wait <= 0) return undefined;
    return {
      limit: addressWait >= accountWait ? 'address' : 'account',
      retryAfterSecs: Math.max(1, Math.ceil(wait / 1000)),
    };
  }

  /**
   * Counts an attempt as a failure *before* its password is checked, so parallel guesses cannot outrun the limit
   * (each one is counted before any of them is verified). Call it in the same synchronous step as `throttled`.
   */
  recordAttempt(email: string, address: string): void {
    const now = this.now();
    this.perAddress.fail(address, now);
    this.perAccount.fail(email, now);
  }

  /**
   * The attempt succeeded: the address gets its attempt back (a lock it earned stays), the account's slow-down
   * starts over, and the address becomes familiar to the account.
   */
  recordSuccess(email: string, address: string): void {
    const now = this.now();
    this.perAddress.forgive(address);
    this.perAccount.reset(email);
    this.familiar.add(pairKey(email, address), now);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

interface LockoutEntry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/** Fixed-window failure counter with a lockout. */
class LockoutCounter {
  private readonly entries = new BoundedMap<LockoutEntry>();

  constructor(private readonly policy: LockoutPolicy) {}

  waitMs(key: string, now: number): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  fail(key: string, now: number): void {
    let entry = this.entries.get(key);
    if (!entry || now - entry.windowStart >= this.policy.windowMs) {
      entry = { failures: 0, windowStart: now, lockedUntil: entry?.lockedUntil ?? 0 };
      this.entries.set(key, entry);
    }
    entry.failures += 1;
    if (entry.failures >= this.policy.maxFailures) entry.lockedUntil = now + this.policy.lockoutMs;
  }

  /** Takes back one failure counted in the current window (an attempt that turned out to succeed). */
  forgive(key: string): void {
    const entry = this.entries.get(key);
    if (entry && entry.failures > 0) entry.failures -= 1;
  }
}

interface BackoffEntry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/** Failure counter whose locks grow exponentially up to a cap; the wait from any moment is at most the cap. */
class BackoffCounter {
  private readonly entries = new BoundedMap<BackoffEntry>();

  constructor(private readonly policy: BackoffPolicy) {}

  waitMs(key: string, now: number): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  fail(key: string, now: number): void {
    let entry = this.entries.get(key);
    if (!entry || now - entry.lastFailure >= this.policy.windowMs) {
      entry = { failures: 0, lastFailure: now, lockedUntil: 0 };
      this.entries.set(key, entry);
    }
    entry.failures += 1;
    entry.lastFailure = now;
    const excess = entry.failures - this.policy.freeFailures;
    if (excess <= 0) return;
    const lockMs = Math.min(this.policy.baseLockMs * 2 ** Math.min(excess - 1, 30), this.policy.maxLockMs);
    entry.lockedUntil = Math.max(entry.lockedUntil, now + lockMs);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }
}

/** Keys that expire `ttlMs` after they were last added. */
class ExpiringSet {
  private readonly expiries = new BoundedMap<number>();

  constructor(private readonly ttlMs: number) {}

  add(key: string, now: number): void {
    this.expiries.delete(key);
    this.expiries.set(key, now + this.ttlMs);
  }

  has(key: string, now: number): boolean {
    const expiry = this.expiries.get(key);
    return expiry !== undefined && expiry > now;
  }
}

/** A Map that drops its oldest insertions beyond {@link MAX_TRACKED_KEYS}. */
class BoundedMap<V> {
  private readonly map = new Map<string, V>();

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    for (const oldest of this.map.keys()) {
      if (this.map.size <= MAX_TRACKED_KEYS) return;
      this.map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

function pairKey(email: string, address: string): string {
  return `${email}\n${address}`;
}
