// Public types of the provider simulator: options, the handle it returns, and what it records.
import type { Logger } from '../core/support/log.ts';
import type { ScriptSelection } from './scripts/by-number.ts';
import type { ScriptName } from './scripts/script.ts';

export type { ScriptName } from './scripts/script.ts';
export type { ScriptSelection } from './scripts/by-number.ts';

/** `register`: callrelay placed the Twilio call; `elevenlabs`: ElevenLabs outbound-call placed it. */
export type DialMode = 'register' | 'elevenlabs';

/** Provider REST routes the simulator serves; `failNext` targets one of them. */
export type SimRoute =
  | 'elevenlabs.outbound-call'
  | 'elevenlabs.register-call'
  | 'elevenlabs.get-conversation'
  | 'twilio.create-call'
  | 'twilio.list-calls'
  | 'twilio.fetch-call'
  | 'twilio.update-call'
  | 'twilio.create-transcription'
  | 'twilio.update-transcription';

export type TwilioCallStatus =
  'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export type ConversationStatus = 'initiated' | 'in-progress' | 'processing' | 'done' | 'failed';

/** What a script chooser sees. In register mode the dynamic variables are not known yet when the dial starts. */
export interface ScriptContext {
  mode: DialMode;
  to: string;
  from: string;
  dynamicVariables: Readonly<Record<string, unknown>>;
}

export interface SimulatorFaults {
  /** Probability (0–1) that a webhook is delivered twice. */
  duplicateRate?: number;
  /** Swap adjacent Twilio status callbacks of a call (0↔1, 2↔3, …). */
  reorder?: boolean;
  /** Probability (0–1) that a webhook is never sent. */
  dropRate?: number;
  /** Seed for the fault dice; each call gets its own stream derived from it. Default 1. */
  seed?: number;
}

export interface ProviderSimulatorOptions {
  /** 0 picks a free port (tests). Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  twilioAccountSid: string;
  /** Checks Basic auth on the Twilio API and signs Twilio webhooks (X-Twilio-Signature). */
  twilioAuthToken: string;
  /** Required `xi-api-key` on the ElevenLabs API. */
  elevenlabsApiKey: string;
  /** Signs post-call webhooks (`ElevenLabs-Signature: t=…,v0=…`). */
  elevenlabsWebhookSecret: string;
  /** Public URL post-call webhooks are sent to (what the signature covers). */
  elevenlabsWebhookUrl: string;
  /** Maps a public URL (what signatures cover) to where the simulator actually sends; default identity. */
  deliverTo?: (publicUrl: string) => string;
  /** 1 = real time (default), 10 = ten times faster, 0 or Infinity = as fast as possible. */
  speed?: number;
  /**
   * Script for each new call; default 'acknowledged'. `by-number`: the dialed number's last digit picks it (1
   * acknowledged, 2 no-answer, 3 busy, 4 voicemail, 5 cut-short, 6 no-answer on the first call to that number and
   * acknowledged after, 7 opt-out, 8 disputed, other digits acknowledged).
   */
  script?: ScriptSelection | ((ctx: ScriptContext) => ScriptName);
  faults?: SimulatorFaults;
  /**
   * elevenlabs dial mode: after the answer, how long (wall clock) the conversation waits for callrelay to start a
   * Twilio transcription before the agent speaks, so live transcripts are testable at any speed. Default 2000 ms.
   */
  transcriptionWaitMs?: number;
  /** Requests kept for `requests()`, oldest dropped first (default `MAX_RECORDED_REQUESTS`, 10,000). */
  maxRecordedRequests?: number;
  logger?: Logger;
}

export interface SimulatedCall {
  callSid: string;
  conversationId: string | null;
  mode: DialMode;
  script: ScriptName;
  to: string;
  from: string;
  status: TwilioCallStatus;
  transcriptionSids: string[];
  conversationStatus: ConversationStatus | null;
}

/** A request callrelay (or a test) made to the simulator's provider APIs. */
export interface RecordedRequest {
  at: string;
  route: SimRoute | null;
  method: string;
  path: string;
  status: number;
  /** Parsed JSON, form fields (repeated keys as arrays), or null when empty. */
  body: unknown;
}

export type DeliveryKind = 'twilio-status' | 'twilio-voice' | 'twilio-transcription' | 'elevenlabs';

/** A webhook the simulator sent (or dropped on purpose). */
export interface RecordedDelivery {
  kind: DeliveryKind;
  /** The public URL (the signed one), not the `deliverTo` target. */
  url: string;
  callSid: string | null;
  conversationId: string | null;
  /** `CallStatus`, `TranscriptionEvent` or the ElevenLabs `type`. */
  label: string;
  /** HTTP attempts made (0 when dropped). */
  attempts: number;
  outcome: 'delivered' | 'failed' | 'dropped';
  /** Last HTTP status, null after a network error or when dropped. */
  status: number | null;
  /** This is the injected second copy of a delivery. */
  duplicate: boolean;
  /** Form params (Twilio) or the JSON envelope (ElevenLabs). */
  payload: unknown;
}

/** One-shot fault on a provider route: wait `delayMs` (wall clock), then answer `status` with the provider's error. */
export interface RouteFault {
  /** HTTP status to fail with. Default 500 unless only `delayMs` is given, in which case the request then succeeds. */
  status?: number;
  delayMs?: number;
}

export interface ProviderSimulator {
  /** Base URL, e.g. http://127.0.0.1:PORT — use as ElevenLabs `baseUrl` and TWILIO_API_BASE_URL. */
  url: string;
  close(): Promise<void>;
  calls(): SimulatedCall[];
  requests(): RecordedRequest[];
  deliveries(): RecordedDelivery[];
  /** The next request to `route` is delayed and/or fails (faults queue up per route). */
  failNext(route: SimRoute, fault?: RouteFault): void;
  /** Script (or `by-number`) for calls placed from now on. */
  setScript(name: ScriptSelection): void;
  /** Resolves when every scripted delivery (incl. retries) is done. */
  whenIdle(): Promise<void>;
  /** Holds every call's script where it is (API requests are still answered); tests use it to act mid-call. */
  pause(): void;
  /** Lets held scripts go on. */
  resume(): void;
}
