// Verifies relay tickets at the relay's upgrade: signature, type, audience, expiry (single use is the ledger's job).
import { errors, type JWTPayload } from 'jose';
import { MAX_TOKEN_LENGTH } from '../domain/credentials.ts';
import { systemClock, type Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import type { AuthConfig } from './auth-config.ts';
import { principalFrom } from './principal.ts';
import { RELAY_TICKET_TYP, relayTicketAudience, type VerifiedTicket } from './relay-ticket.ts';
import { verificationKey } from './token-keys.ts';

/** Verifies a ticket's signature, type, audience and expiry (not its single use: that is the ledger's job). */
export type TicketVerifier = (ticket: string) => Promise<VerifiedTicket>;

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
