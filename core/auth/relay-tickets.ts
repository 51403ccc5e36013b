// Relay tickets: 30-second, single-use proofs of a dispatcher token, so a long-lived JWT never travels in a URL.
import { randomUUID } from 'node:crypto';
import { errors, SignJWT, type JWTPayload } from 'jose';
import { systemClock, type Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import { MAX_TOKEN_LENGTH } from '../domain/credentials.ts';
import { principalFrom, signingKeyFor, verificationKey, type AuthConfig, type Principal } from './tokens.ts';

/** How long a ticket may be presented: long enough for one connect, short enough that a logged URL is worthless. */
export const RELAY_TICKET_TTL_SECS = 30;

/**
 * JWT `typ` of a ticket. With the distinct audience below, it keeps the two kinds apart: a ticket is never accepted as
 * an API token (wrong audience) and an API token is never accepted as a ticket (wrong audience and type).
 */
export const RELAY_TICKET_TYP = 'callrelay-relay-ticket+jwt';

/** Audience of tickets: the dispatcher audience with a suffix no dispatcher token carries. */
export function relayTicketAudience(config: Pick<AuthConfig, 'audience'>): string {
  return `${config.audience}/relay-ticket`;
}

export interface IssuedTicket {
  ticket: string;
  /** When the ticket can no longer open a socket (ISO 8601). */
  expiresAt: string;
}

/** Issues a ticket for a verified principal (the caller of `POST /relay/tickets`). */
export type TicketIssuer = (principal: Principal) => Promise<IssuedTicket>;

export interface VerifiedTicket {
  /** The dispatcher's principal; `exp` is the expiry of the token the ticket was issued for (the socket's expiry). */
  principal: Principal;
  /** Unique ticket id, consumed once in the `TicketLedger`. */
  jti: string;
  /** The ticket's own expiry. */
  expiresAt: Date;
}

/** Verifies a ticket's signature, type, audience and expiry (not its single use: that is the ledger's job). */
export type TicketVerifier = (ticket: string) => Promise<VerifiedTicket>;

export async function createTicketIssuer(
  config: AuthConfig,
  clock: Clock = systemClock,
): Promise<TicketIssuer> {
  const { key, alg } = await signingKeyFor(config);
  return async (principal) => {
    const now = Math.floor(clock.now().getTime() / 1000);
    // Never outlives the token it stands for.
    const exp = Math.min(now + RELAY_TICKET_TTL_SECS, principal.exp);
    const ticket = await new SignJWT({ org: principal.org, role: principal.role, token_exp: principal.exp })
      .setProtectedHeader({ alg, typ: RELAY_TICKET_TYP, ...(config.keyId ? { kid: config.keyId } : {}) })
      .setSubject(principal.sub)
      .setJti(randomUUID())
      .setIssuer(config.issuer)
      .setAudience(relayTicketAudience(config))
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(key);
    return { ticket, expiresAt: new Date(exp * 1000).toISOString() };
  };
}

/**
 * Failures raise `AppError('token_expired')` for an expired ticket (ask for a new one) and `AppError('unauthorized')`
 * for anything else, including a dispatcher token presented as a ticket.
 */
export function createTicketVerifier(
  config: AuthConfig,
  options: { jwks?: { keys: unknown[] }; clock?: Clock } = {},
): TicketVerifier {
  const verifyWith = verificationKey(config, options);
  const clock = options.clock ?? systemClock;
  return async (ticket) => {
    if (!ticket || ticket.length > MAX_TOKEN_LENGTH)
      throw new AppError('unauthorized', 'missing or malformed ticket');
    let payload: JWTPayload;
    try {
      ({ payload } = await verifyWith(ticket, {
        issuer: config.issuer,
        audience: relayTicketAudience(config),
        algorithms: config.algorithms,
        typ: RELAY_TICKET_TYP,
        requiredClaims: ['jti', 'exp', 'sub'],
        currentDate: clock.now(),
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        throw new AppError('token_expired', 'ticket expired', { cause: err });
      throw new AppError('unauthorized', 'invalid ticket', { cause: err });
    }
    const { jti, exp, token_exp: tokenExp } = payload;
    if (typeof jti !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(jti) || typeof tokenExp !== 'number') {
      throw new AppError('unauthorized', 'invalid ticket');
    }
    return {
      principal: principalFrom({ ...payload, exp: tokenExp, auth_time: undefined, iat: undefined }),
      jti,
      expiresAt: new Date(exp! * 1000),
    };
  };
}
