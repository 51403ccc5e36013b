// Contract suite every TicketLedger adapter must pass (memory and Firestore run the same cases).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TicketLedger } from './ticket-ledger.ts';

/**
 * Registers the contract cases for an adapter. `make` returns a ledger over empty, isolated storage; `sibling`, when
 * given, returns a second ledger over the same storage (another relay instance).
 */
export function ticketLedgerContract(
  name: string,
  make: () => Promise<TicketLedger> | TicketLedger,
  sibling?: (ledger: TicketLedger) => Promise<TicketLedger> | TicketLedger,
): void {
  describe(`TicketLedger contract: ${name}`, () => {
    const inAMinute = () => new Date(Date.now() + 60_000);

    it('consumes a ticket id once', async () => {
      const ledger = await make();
      const jti = randomUUID();
      expect(await ledger.consume(jti, inAMinute())).toBe(true);
      expect(await ledger.consume(jti, inAMinute())).toBe(false);
      expect(await ledger.consume(randomUUID(), inAMinute())).toBe(true);
    });

    it('lets exactly one of racing consumers win', async () => {
      const ledger = await make();
      const jti = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => ledger.consume(jti, inAMinute())));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it.skipIf(!sibling)('shares single use with another instance over the same storage', async () => {
      const ledger = await make();
      const other = await sibling!(ledger);
      const jti = randomUUID();
      const results = await Promise.all([ledger.consume(jti, inAMinute()), other.consume(jti, inAMinute())]);
      expect(results.sort()).toEqual([false, true]);
      expect(await other.consume(jti, inAMinute())).toBe(false);
    });

    it.each(['', 'a/b', 'x'.repeat(65), '../relayTickets'])(
      'refuses the malformed id %j as a caller bug',
      async (jti) => {
        const ledger = await make();
        await expect(ledger.consume(jti, inAMinute())).rejects.toBeInstanceOf(TypeError);
      },
    );
  });
}
