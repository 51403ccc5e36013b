// Test helper: Firestore clients for adapter suites on the emulator, without `ignoreUndefinedProperties` (adapters
// must strip undefined fields themselves) and with placeholder credentials (no metadata-server probe; the emulator
// ignores them). Terminate them all after the suite.
import { Firestore } from '@google-cloud/firestore';

export function firestoreClients(): { client(projectId: string): Firestore; terminateAll(): Promise<void> } {
  const clients: Firestore[] = [];
  return {
    client(projectId) {
      const db = new Firestore({
        projectId,
        credentials: { client_email: 'test@callrelay.invalid', private_key: 'x' },
      });
      clients.push(db);
      return db;
    },
    async terminateAll() {
      await Promise.all(clients.map((c) => c.terminate()));
    },
  };
}
