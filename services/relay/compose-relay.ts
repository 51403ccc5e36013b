// Composes a listening relay from its parsed config, a backend and the auth settings: the one wiring of `createRelay`.
import { createTicketVerifier, type TicketVerifier } from '../../core/auth/verify-ticket.ts';
import { createTokenVerifier, type TokenVerifier } from '../../core/auth/verify-token.ts';
import type { AuthConfig } from '../../core/auth/auth-config.ts';
import type { Backend } from '../../core/composition/backend.ts';
import { systemClock, type Clock } from '../../core/support/clock.ts';
import type { Logger } from '../../core/support/log.ts';
import type { RelayConfig } from './relay-config.ts';
import { createRelay, type Relay } from './relay-server.ts';

export interface ComposeRelayInput {
  /** Parsed once by the caller (`parseRelayConfig`); `port` and `host` say where it listens. */
  config: RelayConfig;
  /** Reads the call and campaign stores, follows the bus, consumes tickets; owned (and closed) by the caller. */
  backend: Pick<Backend, 'store' | 'bus' | 'tickets' | 'campaigns'>;
  /** Keys and claims of dispatcher tokens and relay tickets (`parseAuthConfig`). */
  auth: AuthConfig;
  logger: Logger;
  /** Default the system clock. */
  clock?: Clock;
  /** Replaces the verifier `auth` implies (tests: a local JWKS instead of a remote one). */
  verifyToken?: TokenVerifier;
  /** Replaces the ticket verifier `auth` implies. */
  verifyTicket?: TicketVerifier;
}

export interface ComposedRelay {
  relay: Relay;
  /** The bound port (the configured one, or the one picked for port 0). */
  port: number;
}

/** Builds the relay and listens on `config.host:config.port`; the caller closes `relay` (then its backend). */
export async function composeRelay(input: ComposeRelayInput): Promise<ComposedRelay> {
  const { config, backend, auth } = input;
  const clock = input.clock ?? systemClock;
  const relay = createRelay({
    config,
    store: backend.store,
    campaigns: backend.campaigns,
    bus: backend.bus,
    verifyToken: input.verifyToken ?? createTokenVerifier(auth),
    verifyTicket: input.verifyTicket ?? createTicketVerifier(auth, { clock }),
    tickets: backend.tickets,
    logger: input.logger.child({ instanceId: config.instanceId }),
    clock,
  });
  const port = await relay.listen(config.port, config.host);
  return { relay, port };
}
