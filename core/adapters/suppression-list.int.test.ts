// Runs the SuppressionList contract on the in-memory adapter and on Firestore (emulator, unique project per list).
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { firestoreClients } from '../../test/firestore-clients.ts';
import { suppressionListContract } from '../ports/suppression-list.contract.ts';
import { FirestoreSuppressionList } from './google/firestore-suppression-list.ts';
import { MemorySuppressionList } from './memory/memory-suppression-list.ts';

suppressionListContract('memory', () => {
  const list = new MemorySuppressionList();
  return { list, peers: (n) => Array.from({ length: n }, () => list) };
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const { client, terminateAll } = firestoreClients();
  afterAll(terminateAll);
  suppressionListContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      list: new FirestoreSuppressionList(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreSuppressionList(client(projectId))),
    };
  });
});
