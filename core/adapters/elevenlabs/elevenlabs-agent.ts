// ElevenLabs Agents adapter (official SDK): outbound-call, register-call and GET conversation, no retries, timed out.
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { z } from 'zod';
import type {
  ConversationSnapshot,
  ConversationSource,
  DynamicVariables,
  VoiceAgent,
} from '../../ports/voice-agent.ts';
import {
  conversationEndedAt,
  dataCollection,
  transcriptTurns,
} from '../../domain/elevenlabs-conversation.ts';
import { providerError, providerRejected } from '../provider-errors.ts';

export interface ElevenLabsConfig {
  apiKey: string;
  agentId: string;
  /** ElevenLabs id of the Twilio number imported into ElevenLabs (outbound-call mode). */
  agentPhoneNumberId: string;
  /** Overrides the API origin (simulator, data residency). */
  baseUrl?: string;
  /** Per-request timeout. */
  timeoutMs: number;
}

/**
 * Every request runs with `maxRetries: 0` (the SDK's default of 2 retries a 5xx, which can dial a driver twice) and
 * the configured timeout. Dynamic variables go in the camelCase `dynamicVariables` field: the SDK silently strips
 * unknown (e.g. snake_case) keys of its request objects.
 */
export class ElevenLabsAgent implements VoiceAgent, ConversationSource {
  private readonly client: ElevenLabsClient;
  private readonly requestOptions: { maxRetries: number; timeoutInSeconds: number };

  constructor(private readonly config: ElevenLabsConfig) {
    this.requestOptions = { maxRetries: 0, timeoutInSeconds: config.timeoutMs / 1000 };
    this.client = new ElevenLabsClient({
      apiKey: config.apiKey,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      ...this.requestOptions,
    });
  }

  async outboundCall(input: { toNumber: string; dynamicVariables: DynamicVariables }): Promise<{
    conversationId: string;
    callSid: string;
  }> {
    const operation = 'outbound-call';
    let response;
    try {
      response = await this.client.conversationalAi.twilio.outboundCall(
        {
          agentId: this.config.agentId,
          agentPhoneNumberId: this.config.agentPhoneNumberId,
          toNumber: input.toNumber,
          conversationInitiationClientData: { dynamicVariables: input.dynamicVariables },
        },
        this.requestOptions,
      );
    } catch (err) {
      throw providerError('elevenlabs', operation, err);
    }
    if (response.success !== true || !response.conversationId || !response.callSid) {
      throw providerRejected('elevenlabs', operation);
    }
    return { conversationId: response.conversationId, callSid: response.callSid };
  }

  async registerCall(input: {
    fromNumber: string;
    toNumber: string;
    dynamicVariables: DynamicVariables;
  }): Promise<string> {
    const operation = 'register-call';
    let twiml: string;
    try {
      twiml = await this.client.conversationalAi.twilio.registerCall(
        {
          agentId: this.config.agentId,
          fromNumber: input.fromNumber,
          toNumber: input.toNumber,
          direction: 'outbound',
          conversationInitiationClientData: { dynamicVariables: input.dynamicVariables },
        },
        this.requestOptions,
      );
    } catch (err) {
      throw providerError('elevenlabs', operation, err);
    }
    if (typeof twiml !== 'string' || !twiml.includes('<Response'))
      throw providerRejected('elevenlabs', operation);
    return twiml;
  }

  async getConversation(conversationId: string): Promise<ConversationSnapshot | null> {
    let raw: unknown;
    try {
      raw = await this.client.conversationalAi.conversations.get(conversationId, {}, this.requestOptions);
    } catch (err) {
      if ((err as { statusCode?: unknown }).statusCode === 404) return null;
      throw providerError('elevenlabs', 'conversations.get', err);
    }
    const parsed = conversationSchema.safeParse(raw);
    if (!parsed.success) throw providerRejected('elevenlabs', 'conversations.get');
    return toSnapshot(parsed.data);
  }
}

// The SDK skips response validation, so its typed result is parsed again here (unknown keys stripped).
const conversationSchema = z.object({
  conversationId: z.string().min(1),
  status: z.string(),
  transcript: z
    .array(
      z.object({ role: z.string(), message: z.string().nullish(), timeInCallSecs: z.number().nullish() }),
    )
    .nullish(),
  metadata: z
    .object({
      startTimeUnixSecs: z.number().nullish(),
      callDurationSecs: z.number().nullish(),
      terminationReason: z.string().nullish(),
      phoneCall: z.object({ callSid: z.string().nullish() }).nullish(),
    })
    .nullish(),
  analysis: z
    .object({
      transcriptSummary: z.string().nullish(),
      callSuccessful: z.string().nullish(),
      dataCollectionResults: z
        .record(z.string(), z.object({ value: z.unknown(), rationale: z.string().nullish() }))
        .nullish(),
    })
    .nullish(),
  conversationInitiationClientData: z
    .object({ dynamicVariables: z.record(z.string(), z.unknown()).nullish() })
    .nullish(),
});

type Conversation = z.output<typeof conversationSchema>;

function toSnapshot(c: Conversation): ConversationSnapshot {
  const meta = c.metadata;
  const start = meta?.startTimeUnixSecs;
  const duration = meta?.callDurationSecs;
  const endedAt = conversationEndedAt(start, duration);
  return {
    conversationId: c.conversationId,
    conversationStatus: c.status,
    ...(meta?.phoneCall?.callSid ? { callSid: meta.phoneCall.callSid } : {}),
    dynamicVariables: c.conversationInitiationClientData?.dynamicVariables ?? {},
    turns: transcriptTurns(c.transcript),
    ...(c.analysis?.transcriptSummary ? { summary: c.analysis.transcriptSummary } : {}),
    ...(c.analysis?.callSuccessful ? { callSuccessful: c.analysis.callSuccessful } : {}),
    dataCollection: dataCollection(c.analysis?.dataCollectionResults),
    ...(duration != null ? { durationSecs: duration } : {}),
    ...(meta?.terminationReason ? { terminationReason: meta.terminationReason } : {}),
    ...(endedAt ? { endedAt } : {}),
  };
}
