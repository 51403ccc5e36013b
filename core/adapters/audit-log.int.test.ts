// Runs the AuditLog contract on the in-memory adapter and on Firestore (emulator, unique project per log).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { auditLogContract } from '../ports/audit-log.contract.ts';
import { FirestoreAuditLog } from './google/firestore-audit-log.ts';
import { MemoryAuditLog } from './memory/memory-audit-log.ts';

auditLogContract('memory', () => {
  const log = new MemoryAuditLog();
  return { log, peers: (n) => Array.from({ length: n }, () => log) };
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  // No `ignoreUndefinedProperties`: the adapter strips undefined fields itself.
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
  auditLogContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      log: new FirestoreAuditLog(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreAuditLog(client(projectId))),
    };
  });
});
