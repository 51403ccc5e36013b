// Test kit for the webhook suites: provider-signed requests (real twilio helper, documented ElevenLabs scheme) and backends.
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import type { Clock } from '../../core/support/clock.ts';
import { createBackend, type Backend } from '../../core/composition/backend.ts';
import type { BackendConfig } from '../../core/support/config.ts';
import type { MemoryEventBus } from '../../core/adapters/memory/memory-event-bus.ts';
import { createPubSub } from '../../core/adapters/google/google-backend.ts';
import { PubSubEventBus } from '../../core/adapters/google/pubsub-event-bus.ts';
import { createLogger, type Logger } from '../../core/support/log.ts';
import type {
  BusHandler,
  BusMessage,
  BusSubscription,
  EventBus,
  SubscribeOptions,
} from '../../core/ports/event-bus.ts';
import { uniqueProjectId, type BackendName } from '../../test/backends.ts';
import { elevenLabsSignature } from '../../simulator/signing.ts';
import { WEBHOOK_PATHS, type WebhookDeps } from './webhook-deps.ts';
import { freePort } from '../../test/emulators.ts';

export const PUBLIC_BASE_URL = 'https://hooks.callrelay.test';
export const TWILIO_TOKEN = 'test-twilio-auth-token';
export const ELEVENLABS_SECRET = 'wsec_test_secret';
export const DEFAULT_ORG = 'org-default';
/** The handlers' frozen "now" (ElevenLabs signature windows are measured against it). */
export const NOW = new Date('2026-01-15T12:00:00.000Z');
export const NOW_SECS = Math.floor(NOW.getTime() / 1000);
export const fixedClock: Clock = { now: () => NOW };

export const silentLogger = (lines: string[] = []): Logger =>
  createLogger({ sink: (line) => lines.push(line), level: 'DEBUG' });

export const webhookConfig: WebhookDeps['config'] = {
  publicBaseUrl: PUBLIC_BASE_URL,
  twilioAuthToken: TWILIO_TOKEN,
  elevenlabsWebhookSecret: ELEVENLABS_SECRET,
  defaultOrg: DEFAULT_ORG,
};

export interface SignedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A Twilio form webhook signed like Twilio does, over `signedUrl` (default: the public URL of `path` + query). */
export function twilioRequest(
  path: string,
  params: Record<string, string>,
  options: { query?: string; token?: string; signedUrl?: string; signature?: string | null } = {},
): SignedRequest {
  const query = options.query ? `?${options.query}` : '';
  const url = options.signedUrl ?? `${PUBLIC_BASE_URL}${path}${query}`;
  const signature =
    options.signature === undefined
      ? twilio.getExpectedTwilioSignature(options.token ?? TWILIO_TOKEN, url, params)
      : options.signature;
  return {
    path: `${path}${query}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    body: new URLSearchParams(params).toString(),
  };
}

export function elevenLabsRequest(
  payload: unknown,
  options: { t?: number; secret?: string; signature?: string | null; query?: string } = {},
): SignedRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature =
    options.signature === undefined
      ? elevenLabsSignature(options.secret ?? ELEVENLABS_SECRET, body, options.t ?? NOW_SECS)
      : options.signature;
  return {
    path: `${WEBHOOK_PATHS.elevenlabs}${options.query ? `?${options.query}` : ''}`,
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'elevenlabs-signature': signature }),
    },
    body,
  };
}

export async function post(baseUrl: string, req: SignedRequest): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${baseUrl}${req.path}`, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

export function statusParams(
  callSid: string,
  callStatus: string,
  sequenceNumber: number,
  extra: Record<string, string> = {},
) {
  return {
    AccountSid: 'ACtest',
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: callStatus,
    CallbackSource: 'call-progress-events',
    Called: '+15005550006',
    Caller: '+15005550001',
    Direction: 'outbound-api',
    From: '+15005550001',
    To: '+15005550006',
    SequenceNumber: String(sequenceNumber),
    Timestamp: 'Thu, 15 Jan 2026 12:00:00 +0000',
    ...extra,
  };
}

export function transcriptionParams(
  callSid: string,
  sequenceId: number,
  fields: {
    final?: boolean;
    track?: string;
    text?: string;
    event?: string;
    transcriptionSid?: string;
    timestamp?: string;
  } = {},
): Record<string, string> {
  const event = fields.event ?? 'transcription-content';
  const base = {
    AccountSid: 'ACtest',
    CallSid: callSid,
    TranscriptionSid: fields.transcriptionSid ?? `GT${callSid.slice(2)}`,
    SequenceId: String(sequenceId),
    TranscriptionEvent: event,
    Timestamp: fields.timestamp ?? '2026-01-15T12:00:05.250000Z',
  };
  if (event !== 'transcription-content') return base;
  const final = fields.final ?? true;
  const data = final
    ? { transcript: fields.text ?? 'Hello there', confidence: 0.93 }
    : { transcript: fields.text ?? 'Hel' };
  return {
    ...base,
    LanguageCode: 'en-US',
    Track: fields.track ?? 'inbound_track',
    Final: String(final),
    TranscriptionData: JSON.stringify(data),
    ...(final ? {} : { Stability: '0.4' }),
  };
}

export function transcriptionWebhook(
  conversationId: string,
  extra: { callSid?: string; callId?: string } = {},
) {
  return {
    type: 'post_call_transcription',
    event_timestamp: NOW_SECS,
    data: {
      agent_id: 'agent_1',
      conversation_id: conversationId,
      status: 'done',
      user_id: null,
      transcript: [
        {
          role: 'agent',
          message: 'Hi, this is dispatch.',
          time_in_call_secs: 0,
          tool_calls: null,
          feedback: null,
        },
        { role: 'user', message: 'Yes, I am on it.', time_in_call_secs: 3.5 },
        { role: 'agent', message: null, time_in_call_secs: 5, tool_calls: [{ name: 'end_call' }] },
      ],
      metadata: {
        start_time_unix_secs: NOW_SECS - 60,
        call_duration_secs: 42,
        cost: 296,
        termination_reason: 'end_call tool was called.',
        ...(extra.callSid
          ? { phone_call: { type: 'twilio', call_sid: extra.callSid, direction: 'outbound' } }
          : {}),
      },
      analysis: {
        evaluation_criteria_results: {},
        data_collection_results: {
          acknowledged: {
            data_collection_id: 'acknowledged',
            value: true,
            rationale: 'The driver said yes.',
          },
          eta: { data_collection_id: 'eta', value: null, json_schema: {}, rationale: '' },
        },
        call_successful: 'success',
        transcript_summary: 'Driver acknowledged the reminder.',
      },
      conversation_initiation_client_data: {
        dynamic_variables: {
          driver_name: 'Sam',
          ...(extra.callId ? { callrelay_call_id: extra.callId } : {}),
        },
      },
      has_audio: false,
    },
  };
}

export function initiationFailureWebhook(conversationId: string, reason: string, callSid: string) {
  return {
    type: 'call_initiation_failure',
    event_timestamp: NOW_SECS,
    data: {
      agent_id: 'agent_1',
      conversation_id: conversationId,
      failure_reason: reason,
      metadata: {
        type: 'twilio',
        body: { CallSid: callSid, CallStatus: reason, SequenceNumber: '2', To: '+15005550006' },
      },
    },
  };
}

export const uid = (prefix: string): string => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 24)}`;

/** Records bus messages; `waitFor` polls until a predicate over them holds. */
export class BusRecorder {
  readonly messages: BusMessage[] = [];
  readonly handler: BusHandler = (m) => void this.messages.push(m);

  events(callId: string) {
    return this.messages.flatMap((m) => (m.type === 'event' && m.event.callId === callId ? [m.event] : []));
  }

  partials(callId: string) {
    return this.messages.flatMap((m) => (m.type === 'partial' && m.partial.callId === callId ? [m] : []));
  }
}

export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A bus whose publishes go to `target`, so a test can swap in a really broken bus and back. */
class SwitchableBus implements EventBus {
  constructor(public target: EventBus) {}
  publish(message: BusMessage): Promise<void> {
    return this.target.publish(message);
  }
  subscribe(name: string, handler: BusHandler, options?: SubscribeOptions): Promise<BusSubscription> {
    return this.target.subscribe(name, handler, options);
  }
  consume(group: string, handler: BusHandler): Promise<BusSubscription> {
    return this.target.consume(group, handler);
  }
}

export interface TestBackend {
  deps: WebhookDeps;
  /** Makes publishes fail for real (memory: the adapter's failure seam; Google: Pub/Sub on a closed port). */
  breakBus(broken: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Memory, or Firestore + Pub/Sub on the emulators under a fresh project id. */
export async function openTestBackend(name: BackendName): Promise<TestBackend> {
  const config: BackendConfig =
    name === 'memory'
      ? { backend: 'memory', projectId: 'demo-webhooks', topic: 'callrelay-events' }
      : {
          backend: 'google',
          projectId: uniqueProjectId('demo-webhooks'),
          topic: 'callrelay-events',
          ...(process.env.FIRESTORE_EMULATOR_HOST
            ? { firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST }
            : {}),
          ...(process.env.PUBSUB_EMULATOR_HOST
            ? { pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST }
            : {}),
        };
  const backend: Backend = await createBackend(config, { logger: silentLogger() });
  const bus = new SwitchableBus(backend.bus);
  const deps: WebhookDeps = {
    store: backend.store,
    bus,
    audit: backend.audit,
    config: webhookConfig,
    clock: fixedClock,
  };
  let unreachable: { bus: EventBus; close(): Promise<void> } | undefined;
  return {
    deps,
    breakBus: async (broken) => {
      if (name === 'memory') {
        (backend.bus as MemoryEventBus).failPublishes = broken;
        return;
      }
      if (broken && !unreachable) {
        const pubsub = createPubSub({
          projectId: config.projectId,
          pubsubEmulatorHost: `127.0.0.1:${await freePort()}`,
        });
        const dead = new PubSubEventBus(pubsub, {
          topic: config.topic,
          logger: silentLogger(),
          publishTimeoutMs: 1500,
        });
        unreachable = { bus: dead, close: () => pubsub.close() };
      }
      bus.target = broken && unreachable ? unreachable.bus : backend.bus;
    },
    close: async () => {
      await unreachable?.close();
      await backend.close();
    },
  };
}
