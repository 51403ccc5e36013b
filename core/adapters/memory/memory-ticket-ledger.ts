// In-memory TicketLedger: consumed ticket ids kept until they expire (one process; the memory backend's scope).
import { systemClock, type Clock } from '../../support/clock.ts';
import { assertTicketId, type TicketLedger } from '../../ports/ticket-ledger.ts';

export class MemoryTicketLedger implements TicketLedger {
  /** jti → expiry (ms); insertion order is roughly expiry order (all tickets live the same 30 s). */
  private readonly consumed = new Map<string, number>();

  constructor(private readonly clock: Clock = systemClock) {}

  async consume(jti: string, expiresAt: Date): Promise<boolean> {
    assertTicketId(jti);
    this.prune();
    if (this.consumed.has(jti)) return false;
    this.consumed.set(jti, expiresAt.getTime());
    return true;
  }

  /** Forgets expired ids from the oldest on, so memory holds only tickets that could still be presented. */
  private prune(): void {
    const now = this.clock.now().getTime();
    for (const [jti, expires] of this.consumed) {
      if (expires > now) return;
      this.consumed.delete(jti);
    }
  }
}
