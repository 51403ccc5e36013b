// Wires the Google adapters: every Firestore store and the Pub/Sub EventBus (or their emulators), with one close().
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import type { Clock } from '../../support/clock.ts';
import type { BackendConfig } from '../../support/config.ts';
import type { Logger } from '../../support/log.ts';
import type { Backend } from '../../ports/backend.ts';
import { FirestoreAnalyticsStore } from './firestore-analytics-store.ts';
import { FirestoreAttentionQueue } from './firestore-attention-queue.ts';
import { FirestoreCallStore } from './firestore-call-store.ts';
import { FirestoreCampaignStore } from './firestore-campaign-store.ts';
import { FirestoreDueWork } from './firestore-due-work.ts';
import { FirestoreIdempotencyStore } from './firestore-idempotency-store.ts';
import { FirestoreSuppressionList } from './firestore-suppression-list.ts';
import { FirestoreTicketLedger } from './firestore-ticket-ledger.ts';
import { FirestoreUserStore } from './firestore-user-store.ts';
import { FirestoreWebhookEndpoints } from './firestore-webhook-endpoints.ts';
import { PubSubEventBus } from './pubsub-event-bus.ts';

/**
 * Placeholder credentials for emulator mode. The emulators ignore auth, but the client libraries still resolve
 * Application Default Credentials on first use (for the universe domain), which probes the GCE metadata server and
 * logs `MetadataLookupWarning`; explicit credentials skip that probe. Never sent anywhere: emulator channels are
 * insecure and unauthenticated.
 */
const EMULATOR_CREDENTIALS = { client_email: 'emulator@callrelay.invalid', private_key: 'emulator' };

/** A Firestore client as the store needs it: explicit project (no metadata lookup), undefined fields dropped. */
export function createFirestore(
  config: Pick<BackendConfig, 'projectId' | 'firestoreEmulatorHost'>,
): Firestore {
  return new Firestore({
    projectId: config.projectId,
    ignoreUndefinedProperties: true,
    ...(config.firestoreEmulatorHost
      ? { host: config.firestoreEmulatorHost, ssl: false, credentials: EMULATOR_CREDENTIALS }
      : {}),
  });
}

export function createPubSub(config: Pick<BackendConfig, 'projectId' | 'pubsubEmulatorHost'>): PubSub {
  return new PubSub({
    projectId: config.projectId,
    ...(config.pubsubEmulatorHost
      ? { apiEndpoint: config.pubsubEmulatorHost, emulatorMode: true, credentials: EMULATOR_CREDENTIALS }
      : {}),
  });
}

export async function createGoogleBackend(
  config: BackendConfig,
  deps: { logger: Logger; clock: Clock },
): Promise<Backend> {
  const firestore = createFirestore(config);
  const pubsub = createPubSub(config);
  const store = new FirestoreCallStore(firestore, { clock: deps.clock });
  const bus = new PubSubEventBus(pubsub, { topic: config.topic, logger: deps.logger });
  try {
    await bus.ensureTopic();
  } catch (err) {
    await Promise.allSettled([pubsub.close(), firestore.terminate()]);
    throw err;
  }
  return {
    store,
    bus,
    users: new FirestoreUserStore(firestore, deps.clock),
    idempotency: new FirestoreIdempotencyStore(firestore, deps.clock),
    tickets: new FirestoreTicketLedger(firestore, deps.clock),
    dueWork: new FirestoreDueWork(firestore),
    webhooks: new FirestoreWebhookEndpoints(firestore),
    campaigns: new FirestoreCampaignStore(firestore, { clock: deps.clock }),
    suppressions: new FirestoreSuppressionList(firestore),
    attention: new FirestoreAttentionQueue(firestore),
    analytics: new FirestoreAnalyticsStore(firestore),
    close: async () => {
      await bus.close();
      await Promise.all([pubsub.close(), firestore.terminate()]);
    },
  };
}
