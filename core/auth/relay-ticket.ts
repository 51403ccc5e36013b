// Relay tickets: 30-second, single-use proofs of a dispatcher token, so a long-lived JWT never travels in a URL.
import type { AuthConfig } from './auth-config.ts';
import type { Principal } from './principal.ts';

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

export interface VerifiedTicket {
  /** The dispatcher's principal; `exp` is the expiry of the token the ticket was issued for (the socket's expiry). */
  principal: Principal;
  /** Unique ticket id, consumed once in the `TicketLedger`. */
  jti: string;
  /** The ticket's own expiry. */
  expiresAt: Date;
}
