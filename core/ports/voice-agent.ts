// Port: the conversational voice agent (ElevenLabs Agents) that talks to the driver, and its stored conversations.
import type { ConversationResult } from '../domain/call-event.ts';

import type { DynamicVariables } from '../domain/dynamic-variables.ts';

export type { DynamicVariables };

/**
 * Contract shared by every adapter:
 * - No method retries on its own (a retried dial can ring a driver twice); each request is bounded by a timeout.
 * - Failures (non-2xx, timeout, network, a negative answer) raise `AppError('provider_error')` whose message and
 *   details name the provider and HTTP status only, never phone numbers or keys.
 */
export interface VoiceAgent {
  /** Asks the agent platform to place the call itself (ElevenLabs `outbound-call`). */
  outboundCall(input: { toNumber: string; dynamicVariables: DynamicVariables }): Promise<{
    conversationId: string;
    callSid: string;
  }>;
  /** Registers a call callrelay placed and returns the TwiML that connects it to the agent (`register-call`). */
  registerCall(input: {
    fromNumber: string;
    toNumber: string;
    dynamicVariables: DynamicVariables;
  }): Promise<string>;
}

/** Reads stored conversations (ElevenLabs `GET /v1/convai/conversations/{id}`). */
export interface ConversationSource {
  /** The conversation, or `null` when the provider does not know it (404). */
  getConversation(conversationId: string): Promise<ConversationSnapshot | null>;
}

/** A stored conversation as callrelay needs it (provider field names already mapped). */
export interface ConversationSnapshot extends ConversationResult {
  conversationId: string;
  callSid?: string;
  /** The dynamic variables the conversation started with (incl. `callrelay_call_id` when callrelay dialed). */
  dynamicVariables: Record<string, unknown>;
  /** ISO time the call ended (start + duration), when known. */
  endedAt?: string;
}

/** Conversation statuses after which the provider's data no longer changes. */
export const FINAL_CONVERSATION_STATUSES: ReadonlySet<string> = new Set(['done', 'failed']);
