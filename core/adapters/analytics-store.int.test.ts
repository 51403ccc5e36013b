// Runs the AnalyticsStore contract on the in-memory adapter and on Firestore (emulator, unique project per store).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { analyticsStoreContract } from '../ports/analytics-store.contract.ts';
import { FirestoreAnalyticsStore } from './google/firestore-analytics-store.ts';
import { MemoryAnalyticsStore } from './memory/memory-analytics-store.ts';

analyticsStoreContract('memory', () => {
  const store = new MemoryAnalyticsStore();
  return { store, peers: (n) => Array.from({ length: n }, () => store) };
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  // Placeholder credentials skip the metadata-server probe (the emulator ignores them).
  const client = (projectId: string) => {
    const db = new Firestore({
      projectId,
      credentials: { client_email: 'test@callrelay.invalid', private_key: 'x' },
    });
    clients.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
  });
  analyticsStoreContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      store: new FirestoreAnalyticsStore(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreAnalyticsStore(client(projectId))),
    };
  });
});
