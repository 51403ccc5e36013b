// Parses an untrusted client frame into a typed ClientMessage at the relay's edge, or explains why it cannot.
import { z } from 'zod';
import { CALL_ID_PATTERN, isCallId } from '../domain/call-id.ts';
import { MAX_TOKEN_LENGTH } from '../domain/credentials.ts';
import type { ClientMessage } from './relay-messages.ts';

/** Call and campaign ids follow the same one id rule. */
const callId = z.string().regex(CALL_ID_PATTERN);

const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('subscribe'), callId, afterSeq: z.number().int().min(0).optional() }),
  z.strictObject({ type: z.literal('unsubscribe'), callId }),
  z.strictObject({ type: z.literal('subscribe_calls'), utterances: z.boolean().optional() }),
  z.strictObject({ type: z.literal('subscribe_campaign'), campaignId: callId }),
  z.strictObject({ type: z.literal('unsubscribe_campaign'), campaignId: callId }),
  z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(MAX_TOKEN_LENGTH) }),
  z.strictObject({ type: z.literal('ping') }),
]);

export type ParseResult =
  { ok: true; message: ClientMessage } | { ok: false; reason: string; callId?: string; campaignId?: string };

/** Parses one text frame. Never throws; the reason is safe to echo (it never quotes the token). */
export function parseClientMessage(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  const parsed = clientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data as ClientMessage };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'message';
  const echoedCallId = idOf(raw, 'callId');
  const echoedCampaignId = idOf(raw, 'campaignId');
  return {
    ok: false,
    reason: `invalid ${where}: ${issue?.code ?? 'invalid'}`,
    ...(echoedCallId ? { callId: echoedCallId } : {}),
    ...(echoedCampaignId ? { campaignId: echoedCampaignId } : {}),
  };
}

function idOf(raw: unknown, field: 'callId' | 'campaignId'): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = (raw as Record<string, unknown>)[field];
  return isCallId(value) ? value : undefined;
}
