// Runs the AttentionQueue contract on the in-memory adapter and on Firestore (emulator, unique project per queue).
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { firestoreClients } from '../../test/firestore-clients.ts';
import { attentionQueueContract } from '../ports/attention-queue.contract.ts';
import { FirestoreAttentionQueue } from './google/firestore-attention-queue.ts';
import { MemoryAttentionQueue } from './memory/memory-attention-queue.ts';

attentionQueueContract('memory', () => {
  const queue = new MemoryAttentionQueue();
  return { queue, peers: (n) => Array.from({ length: n }, () => queue) };
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const { client, terminateAll } = firestoreClients();
  afterAll(terminateAll);
  attentionQueueContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      queue: new FirestoreAttentionQueue(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreAttentionQueue(client(projectId))),
    };
  });
});
