// Runs the UserStore contract on the in-memory adapter and on Firestore (emulator, unique project per store).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { userStoreContract } from '../ports/user-store.contract.ts';
import { MemoryUserStore } from './memory/memory-user-store.ts';
import { FirestoreUserStore } from './google/firestore-user-store.ts';

userStoreContract('memory', () => new MemoryUserStore());

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
  });
  userStoreContract('firestore', () => {
    const db = new Firestore({ projectId: uniqueProjectId(), ignoreUndefinedProperties: true });
    clients.push(db);
    return new FirestoreUserStore(db);
  });
});
