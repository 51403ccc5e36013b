// POST /auth/login: email + password → a signed dispatcher token; uniform timing, throttled failures, bounded hashing.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from '../../core/auth/passwords.ts';
import type { TokenSigner } from '../../core/auth/sign-token.ts';
import { AppError } from '../../core/support/errors.ts';
import { normalizeEmail, type UserStore } from '../../core/ports/user-store.ts';
import type { BoundedWorkQueue } from '../../core/support/bounded-work-queue.ts';
import type { Logger } from '../../core/support/log.ts';
import type { LoginRequest, TokenResponse } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { clientAddress } from './client-address.ts';
import type { LoginRateLimiter, Throttle } from './login-rate-limiter.ts';
import { jsonBody, validate } from './request-input.ts';
import { auditAction } from './audit-action.ts';
import type { AuditDeps } from '../../core/operations/record-audit.ts';

export interface LoginDeps extends AuditDeps {
  users: UserStore;
  signToken: TokenSigner;
  limiter: LoginRateLimiter;
  /** Bounds concurrent scrypt runs (they occupy libuv's small threadpool, which file and DNS I/O share). */
  passwordWork: BoundedWorkQueue;
  /** Proxies in front of this server that append to `X-Forwarded-For` (`TRUSTED_PROXY_HOPS`). */
  trustedProxyHops: number;
}

const loginSchema = z.object({
  email: z
    .string({ error: 'must be a string' })
    .trim()
    .min(3, 'is too short')
    .max(254, 'is longer than 254 characters'),
  password: z
    .string({ error: 'must be a string' })
    .min(1, 'is required')
    .max(MAX_PASSWORD_LENGTH, `is longer than ${MAX_PASSWORD_LENGTH} characters`),
});

/**
 * Unknown email and wrong password are indistinguishable: both verify against a scrypt hash (a dummy one for an
 * unknown email) and answer 401 `invalid_credentials`. Throttling (see `login-rate-limiter.ts`) keys on the
 * normalized email and on the client address (`client-address.ts`); a throttled attempt gets 429 `rate_limited`
 * with `Retry-After` before any password check. When the password work queue is full the answer is 503
 * `unavailable` with `Retry-After`, at once and without hashing. The throttle check, the attempt count and the
 * admission to the queue happen in one synchronous step right before the password is checked, so parallel guesses
 * cannot outrun the limit (a success takes its attempt back), and a refused attempt is not counted.
 */
export function createLoginHandler(deps: LoginDeps): HttpHandler {
  const dummyHash = hashPassword(randomUUID());
  return async (req, ctx) => {
    const { logger } = ctx;
    const input: LoginRequest = validate(loginSchema, jsonBody(req));
    const email = normalizeEmail(input.email);
    const address = clientAddress(req, deps.trustedProxyHops);
    // A cheap early refusal, so a throttled caller does not even cost a store read.
    const early = deps.limiter.throttled(email, address);
    if (early) throw throttledError(early, address, logger);
    const user = await deps.users.findByEmail(email);
    const stored = user?.passwordHash ?? (await dummyHash);

    const throttle = deps.limiter.throttled(email, address);
    if (throttle) throw throttledError(throttle, address, logger);
    if (!deps.passwordWork.hasRoom()) {
      logger.warn('login shed: password work queue full', {
        retryAfterSecs: deps.passwordWork.retryAfterSecs,
      });
      throw deps.passwordWork.fullError();
    }
    deps.limiter.recordAttempt(email, address);
    const valid = await deps.passwordWork.tryRun(() => verifyPassword(input.password, stored));

    if (!user || !valid) {
      logger.warn('login failed');
      throw new AppError('invalid_credentials', 'email or password is incorrect');
    }
    deps.limiter.recordSuccess(email, address);
    const { token, expiresIn } = await deps.signToken({ sub: user.userId, org: user.orgId, role: user.role });
    logger.info('login succeeded', { sub: user.userId, org: user.orgId });
    // Only successes are audited: a failed attempt names no verified user (and an unknown email no org), and letting
    // unauthenticated callers write the append-only trail would let them flood it. Failures are logged and throttled.
    await auditAction(
      deps,
      ctx,
      { sub: user.userId, org: user.orgId, role: user.role },
      {
        action: 'auth.signed_in',
        target: {},
        details: {},
      },
    );
    return json(200, { token, tokenType: 'Bearer', expiresIn } satisfies TokenResponse, {
      'cache-control': 'no-store',
    });
  };
}

/** Logs the client address the limits saw, so operators can check `TRUSTED_PROXY_HOPS` against a known client. */
function throttledError(throttle: Throttle, address: string, logger: Logger): AppError {
  logger.warn('login throttled', { limit: throttle.limit, retryAfterSecs: throttle.retryAfterSecs, address });
  return new AppError('rate_limited', 'too many failed logins, try again later', {
    details: { retryAfterSecs: throttle.retryAfterSecs },
    retryAfterSecs: throttle.retryAfterSecs,
  });
}
