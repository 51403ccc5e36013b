// Firestore TicketLedger: `create()` of `relayTickets/{jti}` succeeds once across every relay instance.
import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { systemClock, type Clock } from '../../support/clock.ts';
import { assertTicketId, type TicketLedger } from '../../ports/ticket-ledger.ts';
import { guardStore } from './firestore-errors.ts';

/** gRPC ALREADY_EXISTS: `create` on a document that exists. */
const ALREADY_EXISTS = 6;

/** Collection of consumed tickets; a TTL policy on `expiresAt` deletes them (docs/DEPLOY.md). */
export const RELAY_TICKETS_COLLECTION = 'relayTickets';

export class FirestoreTicketLedger implements TicketLedger {
  constructor(
    private readonly db: Firestore,
    private readonly clock: Clock = systemClock,
  ) {}

  async consume(jti: string, expiresAt: Date): Promise<boolean> {
    assertTicketId(jti);
    try {
      await guardStore(() =>
        this.db
          .collection(RELAY_TICKETS_COLLECTION)
          .doc(jti)
          .create({
            expiresAt: Timestamp.fromDate(expiresAt),
            consumedAt: Timestamp.fromDate(this.clock.now()),
          }),
      );
      return true;
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === ALREADY_EXISTS) return false;
      throw err;
    }
  }
}
