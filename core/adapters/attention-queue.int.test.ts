// Runs the AttentionQueue contract on the in-memory adapter and on Firestore (emulator, unique project per queue).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { attentionQueueContract } from '../ports/attention-queue.contract.ts';
import { FirestoreAttentionQueue } from './google/firestore-attention-queue.ts';
import { MemoryAttentionQueue } from './memory/memory-attention-queue.ts';

attentionQueueContract('memory', () => {
  const queue = new MemoryAttentionQueue();
  return { queue, peers: (n) => Array.from({ length: n }, () => queue) };
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
  attentionQueueContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      queue: new FirestoreAttentionQueue(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreAttentionQueue(client(projectId))),
    };
  });
});
