// Runs the AuditLog contract on the in-memory adapter and on Firestore (emulator, unique project per log).
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { firestoreClients } from '../../test/firestore-clients.ts';
import { auditLogContract } from '../ports/audit-log.contract.ts';
import { FirestoreAuditLog } from './google/firestore-audit-log.ts';
import { MemoryAuditLog } from './memory/memory-audit-log.ts';

auditLogContract('memory', () => {
  const log = new MemoryAuditLog();
  return { log, peers: (n) => Array.from({ length: n }, () => log) };
});

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const { client, terminateAll } = firestoreClients();
  afterAll(terminateAll);
  auditLogContract('firestore', () => {
    const projectId = uniqueProjectId();
    return {
      log: new FirestoreAuditLog(client(projectId)),
      peers: (n) => Array.from({ length: n }, () => new FirestoreAuditLog(client(projectId))),
    };
  });
});
