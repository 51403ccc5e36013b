// Runs the WebhookEndpoints contract on the in-memory adapter and on Firestore (emulator, unique project per store).
import { Firestore } from '@google-cloud/firestore';
import { afterAll, describe } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { webhookEndpointsContract } from '../ports/webhook-endpoints.contract.ts';
import { FirestoreWebhookEndpoints } from './google/firestore-webhook-endpoints.ts';
import { MemoryWebhookEndpoints } from './memory/memory-webhook-endpoints.ts';

webhookEndpointsContract('memory', () => new MemoryWebhookEndpoints());

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const clients: Firestore[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
  });
  webhookEndpointsContract('firestore', () => {
    const db = new Firestore({ projectId: uniqueProjectId(), ignoreUndefinedProperties: true });
    clients.push(db);
    return new FirestoreWebhookEndpoints(db);
  });
});
