// Who is calling: the principal a verified token (or a relay ticket) asserts, and the claim checks that produce it.
import type { JWTPayload } from 'jose';
import { ROLES, type Role } from '../domain/credentials.ts';
import { AppError } from '../support/errors.ts';

/** Who is calling, from a verified token. */
export interface Principal {
  sub: string;
  org: string;
  role: Role;
  /** Expiry, unix seconds. */
  exp: number;
  /**
   * When the user last proved their password, unix seconds: the `auth_time` claim, else `iat` (tokens of another
   * issuer in JWKS mode may lack `auth_time`; their login cannot be later than their issue). Absent when the token
   * has neither: its login time is unknown, so it works until `exp` but is never refreshed (`session_expired`).
   */
  authTime?: number;
}

/** The principal a verified payload asserts; `unauthorized` when a claim callrelay needs is missing or invalid. */
export function principalFrom(payload: JWTPayload): Principal {
  const { sub, exp, iat } = payload;
  const org = payload.org;
  const role = payload.role;
  if (typeof sub !== 'string' || !sub) throw new AppError('unauthorized', 'token has no sub');
  if (typeof exp !== 'number') throw new AppError('unauthorized', 'token has no exp');
  if (typeof org !== 'string' || !org) throw new AppError('unauthorized', 'token has no org');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new AppError('unauthorized', 'token has no valid role');
  }
  const authTime = isUnixTime(payload.auth_time) ? payload.auth_time : isUnixTime(iat) ? iat : undefined;
  return { sub, org, role: role as Role, exp, ...(authTime === undefined ? {} : { authTime }) };
}

function isUnixTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
