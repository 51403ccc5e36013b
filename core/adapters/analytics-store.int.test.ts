// Runs the AnalyticsStore contract on the in-memory adapter and on Firestore (emulator, unique project per store).
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { firestoreClients } from '../../test/firestore-clients.ts';
import { analyticsStoreContract } from '../ports/analytics-store.contract.ts';
import { FirestoreAnalyticsStore } from './google/firestore-analytics-store.ts';
import { MemoryAnalyticsStore } from './memory/memory-analytics-store.ts';

analyticsStoreContract('memory', () => {
  const store = new MemoryAnalyticsStore();
  return { store, peers: (n) => Array.from({ length: n }, () => store) };
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const { client, terminateAll } = firestoreClients();
  afterAll(terminateAll);
  analyticsStoreContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      store: new FirestoreAnalyticsStore(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreAnalyticsStore(client(projectId))),
    };
  });
});
