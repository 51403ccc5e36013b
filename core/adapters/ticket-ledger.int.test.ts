// Runs the TicketLedger contract on the in-memory adapter and on Firestore (emulator, unique project per ledger).
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import type { Clock } from '../support/clock.ts';
import { ticketLedgerContract } from '../ports/ticket-ledger.contract.ts';
import { createFirestore } from './google/google-backend.ts';
import { FirestoreTicketLedger } from './google/firestore-ticket-ledger.ts';
import { MemoryTicketLedger } from './memory/memory-ticket-ledger.ts';

const shared = new WeakMap<object, MemoryTicketLedger>();
ticketLedgerContract(
  'memory',
  () => {
    const ledger = new MemoryTicketLedger();
    shared.set(ledger, ledger);
    return ledger;
  },
  // One process shares one memory ledger: the "other instance" is the same object.
  (ledger) => shared.get(ledger)!,
);

describe('memory ledger pruning', () => {
  it('forgets ids once they expired (they are refused as expired tickets by then)', async () => {
    let now = 1_000_000;
    const clock: Clock = { now: () => new Date(now) };
    const ledger = new MemoryTicketLedger(clock);
    expect(await ledger.consume('old', new Date(now + 30_000))).toBe(true);
    now += 31_000;
    expect(await ledger.consume('new', new Date(now + 30_000))).toBe(true);
    expect(await ledger.consume('old', new Date(now + 30_000))).toBe(true);
    expect(await ledger.consume('new', new Date(now + 30_000))).toBe(false);
  });
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  const projects = new WeakMap<object, string>();
  const client = (projectId: string) => {
    const db = createFirestore({ projectId, firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST });
    clients.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
  });
  ticketLedgerContract(
    'firestore',
    () => {
      const projectId = uniqueProjectId();
      const ledger = new FirestoreTicketLedger(client(projectId));
      projects.set(ledger, projectId);
      return ledger;
    },
    // Another relay instance: its own client on the same project.
    (ledger) => new FirestoreTicketLedger(client(projects.get(ledger)!)),
  );
});
