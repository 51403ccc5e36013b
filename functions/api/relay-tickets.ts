// POST /relay/tickets: a valid dispatcher token → a 30-second, single-use ticket to open one relay socket.
import type { TicketIssuer } from '../../core/auth/issue-ticket.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import type { RelayTicketResponse } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';

export interface RelayTicketDeps {
  verifyToken: TokenVerifier;
  issueTicket: TicketIssuer;
}

/**
 * Browsers cannot set headers on a WebSocket: the dashboard trades its token for a ticket here and puts the ticket,
 * not the token, in the relay URL (`?ticket=`). The ticket carries the caller's `sub`, `org` and `role`.
 */
export function createRelayTicketHandler(deps: RelayTicketDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (_req, { logger }, principal) => {
    const issued = await deps.issueTicket(principal);
    logger.debug('relay ticket issued', { expiresAt: issued.expiresAt });
    return json(200, issued satisfies RelayTicketResponse, { 'cache-control': 'no-store' });
  });
}
