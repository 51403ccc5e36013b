// Test helper: one simulator + receiver pair wired like callrelay would be, and the SDK clients pointed at it.
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import twilio from 'twilio';
import { TwilioLocalHttpClient } from '../core/adapters/twilio/twilio-local-http-client.ts';
import { startProviderSimulator } from './server.ts';
import {
  PATHS,
  PUBLIC_BASE,
  startReceiver,
  type Receiver,
  type ReceiverOptions,
} from './webhook-receiver.test-kit.ts';
import type { ProviderSimulator, ProviderSimulatorOptions } from './types.ts';

export const ACCOUNT_SID = 'AC' + '0'.repeat(31) + '1';
export const AUTH_TOKEN = 'twilio-test-token';
export const API_KEY = 'xi-test-key';
export const WEBHOOK_SECRET = 'wsec_test';
export const AGENT_ID = 'agent_test';
export const FROM = '+15550000001';
export const DRIVER = '+15550000002';
export const DYNAMIC_VARIABLES = {
  callrelay_call_id: 'call_123',
  driver_name: 'Sam',
  violations:
    '1. Violation: Temperature is at 45 degrees but needs to be 38 degrees\n2. Reminder: Please send loaded trailer pictures',
  violation_count: 1,
};

export const STATUS_CALLBACK = `${PUBLIC_BASE}${PATHS.status}?callId=call_123`;

export interface Harness {
  sim: ProviderSimulator;
  receiver: Receiver;
  elevenlabs: ElevenLabsClient;
  twilio: twilio.Twilio;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: Partial<ProviderSimulatorOptions>;
  receiver?: Partial<ReceiverOptions>;
  /** Twilio SDK request timeout (ms). */
  twilioTimeoutMs?: number;
  /** Register mode: what callrelay's voice webhook adds before the agent TwiML. */
  transcription?: { partialResults?: boolean; track?: string } | false;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // The voice webhook needs the ElevenLabs client, which needs the simulator's URL: filled in below.
  const clients: { elevenlabs?: ElevenLabsClient } = {};
  const transcription = options.transcription ?? {};
  const receiver = await startReceiver({
    twilioAuthToken: AUTH_TOKEN,
    elevenlabsSecret: WEBHOOK_SECRET,
    // callrelay's register-mode voice webhook: real-time transcription first, then the agent's TwiML.
    voice: async (params) => {
      if (!clients.elevenlabs) throw new Error('harness not ready');
      const agentTwiml = await clients.elevenlabs.conversationalAi.twilio.registerCall({
        agentId: AGENT_ID,
        fromNumber: params.From ?? '',
        toNumber: params.To ?? '',
        direction: 'outbound',
        conversationInitiationClientData: { dynamicVariables: DYNAMIC_VARIABLES },
      });
      const start =
        transcription === false
          ? ''
          : `<Start><Transcription name="live" statusCallbackUrl="${PUBLIC_BASE}${PATHS.transcription}" ` +
            `track="${transcription.track ?? 'both_tracks'}" inboundTrackLabel="driver" outboundTrackLabel="agent" ` +
            `partialResults="${String(transcription.partialResults ?? false)}"/></Start>`;
      return agentTwiml.replace('<Response>', `<Response>${start}`);
    },
    ...options.receiver,
  });
  const sim = await startProviderSimulator({
    twilioAccountSid: ACCOUNT_SID,
    twilioAuthToken: AUTH_TOKEN,
    elevenlabsApiKey: API_KEY,
    elevenlabsWebhookSecret: WEBHOOK_SECRET,
    elevenlabsWebhookUrl: PUBLIC_BASE + PATHS.elevenlabs,
    deliverTo: receiver.deliverTo,
    speed: 0,
    ...options.sim,
  });
  const elevenlabs = new ElevenLabsClient({ apiKey: API_KEY, baseUrl: sim.url, maxRetries: 0 });
  clients.elevenlabs = elevenlabs;
  const client = twilio(ACCOUNT_SID, AUTH_TOKEN, {
    httpClient: new TwilioLocalHttpClient(sim.url, {
      timeout: options.twilioTimeoutMs ?? 5_000,
      autoRetry: false,
    }),
  });
  return {
    sim,
    receiver,
    elevenlabs,
    twilio: client,
    close: async () => {
      await sim.close();
      await receiver.close();
    },
  };
}

/** callrelay's register-mode dial: a Twilio call with all status events and the voice webhook. */
export function dialRegister(h: Harness, extra: Record<string, unknown> = {}) {
  return h.twilio.calls.create({
    to: DRIVER,
    from: FROM,
    url: PUBLIC_BASE + PATHS.voice,
    method: 'POST',
    // A query string, as callrelay's callback URLs carry one: it is part of the signed URL.
    statusCallback: STATUS_CALLBACK,
    statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    statusCallbackMethod: 'POST',
    ...extra,
  });
}

/** callrelay's elevenlabs-mode dial (to `DRIVER` unless `to` is given). */
export function dialElevenLabs(h: Harness, to: string = DRIVER) {
  return h.elevenlabs.conversationalAi.twilio.outboundCall(
    {
      agentId: AGENT_ID,
      agentPhoneNumberId: 'pn_test',
      toNumber: to,
      conversationInitiationClientData: { dynamicVariables: DYNAMIC_VARIABLES, userId: 'driver_7' },
    },
    { maxRetries: 0 },
  );
}
