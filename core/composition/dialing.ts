// Dialing as the API and the worker both need it: the provider settings, parsed once, and the CallDialer built from
// them over a backend (providers from `createProviders`, transcription starts in the background).
import { isE164 } from '../domain/phone-number.ts';
import { CallDialer, DIAL_MODES, type DialMode } from '../operations/call-dialer.ts';
import { TranscriptionStarter, type TranscriptionRetryPolicy } from '../operations/transcription-starter.ts';
import type { Backend } from '../ports/backend.ts';
import type { Telephony } from '../ports/telephony.ts';
import type { ConversationSource, VoiceAgent } from '../ports/voice-agent.ts';
import type { Clock } from '../support/clock.ts';
import {
  ConfigError,
  integer,
  oneOf,
  optionalString,
  parseSchedulerConfig,
  requireString,
  url,
  type Env,
  type SchedulerConfig,
} from '../support/config.ts';
import type { Logger } from '../support/log.ts';
import { createProviders } from './providers.ts';

/** Default per-request timeout of provider calls: long enough for a dial, short enough to answer before clients give up. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

export interface DialingConfig {
  /** Origin providers call back (`PUBLIC_BASE_URL`), without a trailing slash. */
  publicBaseUrl: string;
  dialMode: DialMode;
  /** Timeout of every request to ElevenLabs and Twilio (`PROVIDER_TIMEOUT_MS`, 100–60000, default 10000). */
  providerTimeoutMs: number;
  elevenlabs: { apiKey: string; agentId: string; agentPhoneNumberId: string; baseUrl?: string };
  twilio: { accountSid: string; authToken: string; fromNumber: string; apiBaseUrl?: string };
  /** Dial recovery and the engine's other rules (`DIAL_GRACE_SECS`, …; see `SchedulerConfig`). */
  scheduler: SchedulerConfig;
}

export function parseDialingConfig(env: Env = process.env): DialingConfig {
  const elevenlabsBaseUrl = optionalString(env, 'ELEVENLABS_BASE_URL')
    ? url(env, 'ELEVENLABS_BASE_URL')
    : undefined;
  const twilioApiBaseUrl = optionalString(env, 'TWILIO_API_BASE_URL')
    ? url(env, 'TWILIO_API_BASE_URL')
    : undefined;
  const fromNumber = requireString(env, 'TWILIO_FROM_NUMBER');
  if (!isE164(fromNumber))
    throw new ConfigError('TWILIO_FROM_NUMBER', 'must be an E.164 number (+ and 7-15 digits)');
  return {
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL'),
    dialMode: oneOf(env, 'DIAL_MODE', DIAL_MODES, 'register'),
    providerTimeoutMs: integer(env, 'PROVIDER_TIMEOUT_MS', DEFAULT_PROVIDER_TIMEOUT_MS, {
      min: 100,
      max: 60_000,
    }),
    elevenlabs: {
      apiKey: requireString(env, 'ELEVENLABS_API_KEY'),
      agentId: requireString(env, 'ELEVENLABS_AGENT_ID'),
      agentPhoneNumberId: requireString(env, 'ELEVENLABS_AGENT_PHONE_NUMBER_ID'),
      ...(elevenlabsBaseUrl ? { baseUrl: elevenlabsBaseUrl } : {}),
    },
    twilio: {
      accountSid: requireString(env, 'TWILIO_ACCOUNT_SID'),
      authToken: requireString(env, 'TWILIO_AUTH_TOKEN'),
      fromNumber,
      ...(twilioApiBaseUrl ? { apiBaseUrl: twilioApiBaseUrl } : {}),
    },
    scheduler: parseSchedulerConfig(env),
  };
}

export interface Dialing {
  dialer: CallDialer;
  /** Background transcription starts of `elevenlabs`-mode calls (await `idle()` on shutdown / in tests). */
  transcriptions: TranscriptionStarter;
  telephony: Telephony;
  agent: VoiceAgent & ConversationSource;
}

/** The dialer over `backend`; providers from `config` unless given (tests pass adapters pointed elsewhere). */
export function createDialing(input: {
  config: DialingConfig;
  backend: Pick<Backend, 'store' | 'bus' | 'dueWork' | 'suppressions'>;
  logger: Logger;
  clock: Clock;
  providers?: { telephony: Telephony; agent: VoiceAgent & ConversationSource };
  transcriptionRetry?: TranscriptionRetryPolicy;
}): Dialing {
  const { config, backend, logger, clock } = input;
  const providers =
    input.providers ??
    createProviders({
      elevenlabs: config.elevenlabs,
      twilio: config.twilio,
      publicBaseUrl: config.publicBaseUrl,
      timeoutMs: config.providerTimeoutMs,
    });
  const transcriptions = new TranscriptionStarter({
    telephony: providers.telephony,
    store: backend.store,
    bus: backend.bus,
    logger,
    ...(input.transcriptionRetry ? { policy: input.transcriptionRetry } : {}),
  });
  const dialer = new CallDialer({
    mode: config.dialMode,
    store: backend.store,
    bus: backend.bus,
    logger,
    telephony: providers.telephony,
    agent: providers.agent,
    transcriptions,
    dueWork: backend.dueWork,
    suppressions: backend.suppressions,
    clock,
    dialGraceSecs: config.scheduler.dialGraceSecs,
  });
  return { dialer, transcriptions, telephony: providers.telephony, agent: providers.agent };
}
