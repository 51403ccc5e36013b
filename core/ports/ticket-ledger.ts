// Port: single use of relay tickets, shared by every relay instance (a ticket opens one socket, once, anywhere).

/**
 * Contract (checked by `ticket-ledger.contract.ts` against every adapter):
 * - `consume(jti, expiresAt)` resolves true the first time a `jti` is consumed and false on every later call, also
 *   when calls race (one winner) and when they come from different instances sharing the backing storage.
 * - A record needs to outlive only its ticket: after `expiresAt` the ticket is refused as expired anyway, so adapters
 *   may forget it then (memory prunes; Firestore's TTL policy deletes `relayTickets` documents after `expiresAt`).
 * - `jti` is an opaque id made of `[A-Za-z0-9_-]` (1–64 characters); anything else is a caller bug (`TypeError`).
 * - Unavailability of the backing service surfaces as `AppError('store_unavailable')`.
 */
export interface TicketLedger {
  consume(jti: string, expiresAt: Date): Promise<boolean>;
}

/** Checks the `jti` shape every adapter relies on (a Firestore document id must not contain `/`). */
export function assertTicketId(jti: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(jti)) throw new TypeError('ticket id must match [A-Za-z0-9_-]{1,64}');
}
