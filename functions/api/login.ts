// POST /auth/login: email + password → a signed dispatcher token; uniform timing, throttled failures.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from '../../core/auth/passwords.ts';
import type { TokenSigner } from '../../core/auth/tokens.ts';
import { AppError, toErrorEnvelope } from '../../core/errors.ts';
import { normalizeEmail, type UserStore } from '../../core/ports/user-store.ts';
import { json, type HttpHandler, type HttpRequest } from '../http/http-types.ts';
import type { LoginRateLimiter } from './login-rate-limiter.ts';
import { jsonBody, validate } from './request-input.ts';

export interface LoginDeps {
  users: UserStore;
  signToken: TokenSigner;
  limiter: LoginRateLimiter;
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
 * unknown email) and answer 401 `invalid_credentials`. Attempts count as failures per email+IP and per IP
 * before the password is checked (a success takes its attempt back), so parallel guesses cannot outrun the limit;
 * a locked key gets 429 `rate_limited` with `Retry-After` before any password check.
 */
export function createLoginHandler(deps: LoginDeps): HttpHandler {
  const dummyHash = hashPassword(randomUUID());
  return async (req, { logger }) => {
    const input = validate(loginSchema, jsonBody(req));
    const email = normalizeEmail(input.email);
    const ip = clientIp(req);
    const retryAfter = deps.limiter.retryAfterSecs(email, ip);
    if (retryAfter > 0) {
      logger.warn('login throttled', { retryAfterSecs: retryAfter });
      const error = new AppError('rate_limited', 'too many failed logins, try again later', {
        details: { retryAfterSecs: retryAfter },
      });
      return json(429, toErrorEnvelope(error), { 'retry-after': String(retryAfter) });
    }
    deps.limiter.recordAttempt(email, ip);
    const user = await deps.users.findByEmail(email);
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash));
    if (!user || !valid) {
      logger.warn('login failed');
      throw new AppError('invalid_credentials', 'email or password is incorrect');
    }
    deps.limiter.recordSuccess(email, ip);
    const { token, expiresIn } = await deps.signToken({ sub: user.userId, org: user.orgId, role: user.role });
    logger.info('login succeeded', { sub: user.userId, org: user.orgId });
    return json(200, { token, tokenType: 'Bearer', expiresIn }, { 'cache-control': 'no-store' });
  };
}

/**
 * The client address for throttling: the last `X-Forwarded-For` entry, which Google's front end appends (earlier
 * entries are client-supplied and spoofable). Without the header (local server) every client shares one key.
 */
export function clientIp(req: HttpRequest): string {
  const forwarded = req.headers['x-forwarded-for'];
  const last = forwarded?.split(',').pop()?.trim();
  return last || 'unknown';
}
