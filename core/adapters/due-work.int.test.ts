// Runs the DueWork contract on the in-memory adapter and on Firestore (emulator, unique project per store).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { dueWorkContract } from '../ports/due-work.contract.ts';
import { FirestoreDueWork } from './google/firestore-due-work.ts';
import { MemoryDueWork } from './memory/memory-due-work.ts';

dueWorkContract('memory', () => new MemoryDueWork());

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
  });
  dueWorkContract('firestore', () => {
    const db = new Firestore({ projectId: uniqueProjectId(), ignoreUndefinedProperties: true });
    clients.push(db);
    return new FirestoreDueWork(db);
  });
});
