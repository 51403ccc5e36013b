// Identifiers shared by every CallStore adapter: provider-id index keys, derived call ids, list cursors.
import { createHash } from 'node:crypto';
import { AppError } from '../support/errors.ts';
import type { Call } from '../domain/call.ts';
import type { CallRef } from '../ports/call-store.ts';

/** Index keys under which a call can be found by its provider ids. */
export function providerKeys(ref: { callSid?: string; conversationId?: string }): string[] {
  return [
    ...(ref.callSid ? [`twilio:${ref.callSid}`] : []),
    ...(ref.conversationId ? [`elevenlabs:${ref.conversationId}`] : []),
  ];
}

/**
 * The id of a call first seen through a provider webhook: derived from the provider id, so concurrent first
 * deliveries agree on it. The Twilio CallSid wins over the conversation id when both are known.
 */
export function derivedCallId(ref: CallRef): string {
  const key = providerKeys(ref)[0];
  if (!key) throw new TypeError('derivedCallId needs a callSid or a conversationId');
  return 'ext_' + createHash('sha256').update(key).digest('hex').slice(0, 24);
}

/** Stable hash usable as a document id for any string (dedupe keys contain ':' and provider ids). */
export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function encodeCursor(call: Pick<Call, 'createdAt' | 'callId'>): string {
  return Buffer.from(JSON.stringify([call.createdAt, call.callId])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; callId: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { createdAt: parsed[0], callId: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new AppError('bad_request', 'cursor is not valid');
}
