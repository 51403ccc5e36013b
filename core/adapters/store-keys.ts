// Identifiers shared by every CallStore adapter: provider-id index keys, derived call ids, list cursors.
import { createHash } from 'node:crypto';
import { AppError } from '../support/errors.ts';
import { newestFirst, type Call } from '../domain/call.ts';
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

/** Id of the suppression of a number in an org: stable, and reveals neither. */
export function suppressionIdOf(orgId: string, phoneNumber: string): string {
  return 'sup_' + createHash('sha256').update(`${orgId}\n${phoneNumber}`).digest('hex').slice(0, 24);
}

/** Cursor of a newest-first list ordered by (time, id) descending: campaigns, suppressions, attention items. */
export function encodeListCursor(at: string, id: string): string {
  return encodeCursor({ createdAt: at, callId: id });
}

export function decodeListCursor(cursor: string): { at: string; id: string } {
  const { createdAt, callId } = decodeCursor(cursor);
  return { at: createdAt, id: callId };
}

/** Newest first by (time, id), ties by id descending in code-unit order (as Firestore orders strings). */
export function newestFirstBy<T>(at: (t: T) => string, id: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => newestFirst({ createdAt: at(a), callId: id(a) }, { createdAt: at(b), callId: id(b) });
}

/** Items strictly after the cursor position in newest-first order. */
export function afterListCursor(at: string, id: string, cursor: { at: string; id: string }): boolean {
  return newestFirst({ createdAt: at, callId: id }, { createdAt: cursor.at, callId: cursor.id }) > 0;
}
