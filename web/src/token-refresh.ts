// Silent token refresh for the tab: POST /auth/refresh at about 80% of each token's lifetime, retried with backoff on
// network and server errors until expiry; only a refusal needs the password. No DOM, so it is unit-tested in Node.
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../client/backoff.ts';
import type { TokenResponse } from '../../core/protocol/rest-api.ts';
import { ApiError } from './api-client.ts';
import { sessionFromToken, type Session } from './session.ts';

/** Refresh when this fraction of the token's lifetime has passed: early enough for retries, late enough to be rare. */
export const REFRESH_AT_FRACTION = 0.8;

/** Why the password is needed: the API refused (`session_expired`, another 401 …) or a refresh no longer extends `exp`. */
export type PasswordReason = 'session_expired' | 'refused' | 'not_extended';

export interface TokenRefreshDeps {
  /** The tab's session, undefined when signed out. */
  current(): Session | undefined;
  /** `POST /auth/refresh` with this token. */
  refresh(token: string): Promise<TokenResponse>;
  /** Stores the fresh token in place of the old one (API calls and the relay's `getToken` read it from there). */
  store(token: string): void;
  /** Refreshing cannot keep this session going; ask for the password (called once per token). */
  needsPassword(reason: PasswordReason): void;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
}

export interface TokenRefresher {
  /** Plans the next refresh from the current session; call whenever the session changes. */
  reschedule(): void;
  stop(): void;
}

/** Milliseconds from `now` until `session` should be refreshed (its lifetime counts from `now` when `iat` is unknown). */
export function refreshDelay(session: Pick<Session, 'expiresAt' | 'issuedAt'>, now: number): number {
  const issuedAt = Math.min(session.issuedAt ?? now, now);
  const at = issuedAt + REFRESH_AT_FRACTION * (session.expiresAt - issuedAt);
  return Math.max(0, Math.round(at - now));
}

/** Network failures, 5xx and 429 are worth retrying; any other answer (401 `session_expired`, 403, 404 …) is final. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 429 || err.status >= 500 || err.code === 'bad_response';
}

export function createTokenRefresher(deps: TokenRefreshDeps): TokenRefresher {
  const now = deps.now ?? Date.now;
  const setTimer = deps.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
  let timer: unknown;
  let attempt = 0;
  let inFlight: string | undefined;
  /** The token for which the password was asked: never refreshed again (a new login brings a new token). */
  let refused: string | undefined;
  let stopped = false;

  const plan = (ms: number) => {
    clearTimer(timer);
    timer = setTimer(() => void run(), ms);
  };

  const giveUp = (token: string, reason: PasswordReason) => {
    clearTimer(timer);
    refused = token;
    deps.needsPassword(reason);
  };

  const run = async (): Promise<void> => {
    const session = deps.current();
    if (stopped || !session || session.token === refused || inFlight === session.token) return;
    inFlight = session.token;
    let result: TokenResponse;
    try {
      result = await deps.refresh(session.token);
    } catch (err) {
      inFlight = undefined;
      // Signed out or signed in again meanwhile: that change planned what comes next.
      if (stopped || deps.current()?.token !== session.token) return;
      if (!isRetryable(err)) {
        giveUp(
          session.token,
          err instanceof ApiError && err.code === 'session_expired' ? 'session_expired' : 'refused',
        );
        return;
      }
      // A retry after expiry would be refused anyway: at expiry the tab returns to sign-in.
      const delay = backoffDelay(attempt++, backoff, deps.random);
      if (now() + delay < session.expiresAt) plan(delay);
      return;
    }
    inFlight = undefined;
    if (stopped || deps.current()?.token !== session.token) return;
    let next: Session;
    try {
      next = sessionFromToken(result.token);
    } catch {
      giveUp(session.token, 'refused');
      return;
    }
    // Near the maximum session age the API keeps `exp` at the session's end: refreshing again cannot help.
    if (next.expiresAt <= session.expiresAt) {
      giveUp(session.token, 'not_extended');
      return;
    }
    attempt = 0;
    deps.store(result.token);
    reschedule();
  };

  const reschedule = () => {
    clearTimer(timer);
    const session = deps.current();
    if (stopped || !session || session.token === refused) return;
    if (inFlight !== session.token) attempt = 0;
    plan(refreshDelay(session, now()));
  };

  reschedule();
  return {
    reschedule,
    stop: () => {
      stopped = true;
      clearTimer(timer);
    },
  };
}
