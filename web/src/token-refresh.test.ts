// When and how the dashboard refreshes its token: 80% of the lifetime, backoff on outages, the password only on refusal.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenResponse } from '../../core/protocol/rest-api.ts';
import { ApiError } from './api-client.ts';
import { sessionFromToken, type Session } from './session.ts';
import {
  createTokenRefresher,
  isRetryable,
  refreshDelay,
  type PasswordReason,
  type TokenRefresher,
} from './token-refresh.ts';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const HOUR = 3_600_000;

/** An unsigned JWT with the claims the dashboard reads (the browser never checks signatures). */
function jwt(iatMs: number, expMs: number, extra: Record<string, unknown> = {}): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    sub: 'usr_1',
    org: 'org-a',
    role: 'dispatcher',
    iat: iatMs / 1000,
    exp: expMs / 1000,
    ...extra,
  };
  return `${part({ alg: 'HS256' })}.${part(claims)}.sig`;
}

const ok = (token: string): TokenResponse => ({ token, tokenType: 'Bearer', expiresIn: 0 });

describe('refreshDelay', () => {
  it.each([
    ['at 80% of a fresh one-hour token', { issuedAt: T0, expiresAt: T0 + HOUR }, T0, 0.8 * HOUR],
    [
      'at 80% from its iat when restored later',
      { issuedAt: T0, expiresAt: T0 + HOUR },
      T0 + 0.5 * HOUR,
      0.3 * HOUR,
    ],
    ['now when past 80%', { issuedAt: T0, expiresAt: T0 + HOUR }, T0 + 0.9 * HOUR, 0],
    ['at 80% of what is left without iat', { expiresAt: T0 + HOUR }, T0, 0.8 * HOUR],
    ['at 80% of a one-minute token', { issuedAt: T0, expiresAt: T0 + 60_000 }, T0, 48_000],
  ])('refreshes %s', (_name, session, now, expected) => {
    expect(refreshDelay(session, now)).toBe(expected);
  });
});

describe('isRetryable', () => {
  it.each([
    ['network', new ApiError('network', 'offline', 0), true],
    ['503', new ApiError('store_unavailable', 'down', 503), true],
    ['502 without envelope', new ApiError('internal', 'x', 502), true],
    ['429', new ApiError('rate_limited', 'slow down', 429), true],
    ['unexpected error', new TypeError('boom'), true],
    ['session_expired', new ApiError('session_expired', 'old', 401), false],
    ['token_expired', new ApiError('token_expired', 'expired', 401), false],
    ['unauthorized', new ApiError('unauthorized', 'bad', 401), false],
    ['404 (API without the route)', new ApiError('not_found', 'nope', 404), false],
  ])('%s → %s', (_name, err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });
});

describe('createTokenRefresher', () => {
  let session: Session | undefined;
  let refresh: ReturnType<typeof vi.fn<(token: string) => Promise<TokenResponse>>>;
  let stored: string[];
  let asked: PasswordReason[];
  let refresher: TokenRefresher;

  const signIn = (token: string) => {
    session = sessionFromToken(token);
    refresher?.reschedule();
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    session = sessionFromToken(jwt(T0, T0 + HOUR));
    stored = [];
    asked = [];
    refresh = vi.fn<(token: string) => Promise<TokenResponse>>();
    refresher = createTokenRefresher({
      current: () => (session && session.expiresAt > Date.now() ? session : undefined),
      refresh,
      store: (token) => {
        stored.push(token);
        signIn(token);
      },
      needsPassword: (reason) => asked.push(reason),
      backoff: { initialMs: 1000, maxMs: 8000 },
      random: () => 1,
    });
  });
  afterEach(() => {
    refresher.stop();
    vi.useRealTimers();
  });

  it('refreshes at 80% of the lifetime, stores the new token, and plans the next refresh from it', async () => {
    const second = jwt(T0 + 0.8 * HOUR, T0 + 1.8 * HOUR);
    refresh.mockResolvedValueOnce(ok(second));
    await vi.advanceTimersByTimeAsync(0.8 * HOUR - 1);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledExactlyOnceWith(jwt(T0, T0 + HOUR));
    expect(stored).toEqual([second]);
    expect(session?.token).toBe(second);

    refresh.mockResolvedValueOnce(ok(jwt(T0 + 1.6 * HOUR, T0 + 2.6 * HOUR)));
    await vi.advanceTimersByTimeAsync(0.8 * HOUR - 1);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenLastCalledWith(second);
    expect(stored).toHaveLength(2);
    expect(asked).toEqual([]);
  });

  it('retries network and server errors with growing delays, then carries on', async () => {
    refresh
      .mockRejectedValueOnce(new ApiError('network', 'offline', 0))
      .mockRejectedValueOnce(new ApiError('store_unavailable', 'down', 503))
      .mockResolvedValueOnce(ok(jwt(T0 + 0.8 * HOUR + 3000, T0 + 1.8 * HOUR + 3000)));
    await vi.advanceTimersByTimeAsync(0.8 * HOUR);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000); // first backoff (random = 1 → the cap, 1 s)
    expect(refresh).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(refresh).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1); // second backoff, 2 s
    expect(refresh).toHaveBeenCalledTimes(3);
    expect(stored).toHaveLength(1);
    expect(asked).toEqual([]);
  });

  it('keeps retrying an outage until expiry, never after, and never asks for the password', async () => {
    refresh.mockRejectedValue(new ApiError('network', 'offline', 0));
    await vi.advanceTimersByTimeAsync(HOUR);
    const calls = refresh.mock.calls.length;
    // 12 minutes of retries, capped at 8 s apart.
    expect(calls).toBeGreaterThan(80);
    expect(calls).toBeLessThan((0.2 * HOUR) / 8000 + 10);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(refresh.mock.calls.length).toBe(calls);
    expect(asked).toEqual([]);
    expect(stored).toEqual([]);
  });

  it.each([
    ['session_expired', new ApiError('session_expired', 'too old', 401), 'session_expired'],
    ['another 401', new ApiError('unauthorized', 'invalid token', 401), 'refused'],
  ])(
    'falls back to the password once on %s, then resumes after a new sign-in',
    async (_name, err, reason) => {
      refresh.mockRejectedValueOnce(err);
      await vi.advanceTimersByTimeAsync(0.8 * HOUR);
      expect(asked).toEqual([reason]);
      await vi.advanceTimersByTimeAsync(0.1 * HOUR);
      expect(refresh).toHaveBeenCalledTimes(1);

      // The password dialog signs in again: a fresh token, refreshed silently again at 80%.
      const relogin = jwt(Date.now(), Date.now() + HOUR);
      signIn(relogin);
      refresh.mockResolvedValueOnce(ok(jwt(Date.now(), Date.now() + 2 * HOUR)));
      await vi.advanceTimersByTimeAsync(0.8 * HOUR);
      expect(refresh).toHaveBeenLastCalledWith(relogin);
      expect(stored).toHaveLength(1);
      expect(asked).toHaveLength(1);
    },
  );

  it('asks for the password when a refresh no longer extends the session (maximum age reached)', async () => {
    const capped = jwt(T0 + 0.8 * HOUR, T0 + HOUR);
    refresh.mockResolvedValueOnce(ok(capped));
    await vi.advanceTimersByTimeAsync(0.8 * HOUR);
    expect(asked).toEqual(['not_extended']);
    expect(stored).toEqual([]);
    await vi.advanceTimersByTimeAsync(0.2 * HOUR);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('drops an answer for a session that was signed out or replaced meanwhile', async () => {
    let answer!: (result: TokenResponse) => void;
    refresh.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    await vi.advanceTimersByTimeAsync(0.8 * HOUR);
    const other = jwt(Date.now(), Date.now() + HOUR, { sub: 'usr_2' });
    signIn(other);
    answer(ok(jwt(Date.now(), Date.now() + 2 * HOUR)));
    await vi.advanceTimersByTimeAsync(0);
    expect(stored).toEqual([]);
    expect(session?.token).toBe(other);
  });

  it('does nothing once stopped or signed out', async () => {
    session = undefined;
    refresher.reschedule();
    await vi.advanceTimersByTimeAsync(HOUR);
    signIn(jwt(Date.now(), Date.now() + HOUR));
    refresher.stop();
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(refresh).not.toHaveBeenCalled();
  });
});
