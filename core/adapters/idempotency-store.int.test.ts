// Runs the IdempotencyStore contract on the in-memory adapter and on Firestore (emulator, unique project per store).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { idempotencyStoreContract } from '../ports/idempotency-store.contract.ts';
import { FirestoreIdempotencyStore } from './google/firestore-idempotency-store.ts';
import { MemoryIdempotencyStore } from './memory/memory-idempotency-store.ts';

idempotencyStoreContract('memory', (clock) => new MemoryIdempotencyStore(clock));

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
  });
  idempotencyStoreContract('firestore', (clock) => {
    const db = new Firestore({ projectId: uniqueProjectId(), ignoreUndefinedProperties: true });
    clients.push(db);
    return new FirestoreIdempotencyStore(db, clock);
  });
});
