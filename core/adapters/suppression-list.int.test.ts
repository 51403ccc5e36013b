// Runs the SuppressionList contract on the in-memory adapter and on Firestore (emulator, unique project per list).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { suppressionListContract } from '../ports/suppression-list.contract.ts';
import { FirestoreSuppressionList } from './google/firestore-suppression-list.ts';
import { MemorySuppressionList } from './memory/memory-suppression-list.ts';

suppressionListContract('memory', () => {
  const list = new MemorySuppressionList();
  return { list, peers: (n) => Array.from({ length: n }, () => list) };
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  // No `ignoreUndefinedProperties`: the adapter strips undefined fields itself. Placeholder credentials skip the
  // metadata-server probe (the emulator ignores them).
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
  suppressionListContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      list: new FirestoreSuppressionList(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreSuppressionList(client(projectId))),
    };
  });
});
