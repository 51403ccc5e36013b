// Issues relay tickets (`POST /relay/tickets`) for a verified principal, signed with the token keys.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { systemClock, type Clock } from '../support/clock.ts';
import type { AuthConfig } from './auth-config.ts';
import type { Principal } from './principal.ts';
import {
  RELAY_TICKET_TTL_SECS,
  RELAY_TICKET_TYP,
  relayTicketAudience,
  type IssuedTicket,
} from './relay-ticket.ts';
import { signingKeyFor } from './token-keys.ts';

/** Issues a ticket for a verified principal (the caller of `POST /relay/tickets`). */
export type TicketIssuer = (principal: Principal) => Promise<IssuedTicket>;

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
