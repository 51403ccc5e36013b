// Shared store keys: provider index keys, derived call ids, hashes and cursors.
import { describe, expect, it } from 'vitest';
import { decodeCursor, derivedCallId, encodeCursor, keyHash, providerKeys } from './store-keys.ts';
import { AppError } from '../support/errors.ts';

describe('call store keys', () => {
  it('lists provider keys, CallSid first', () => {
    expect(providerKeys({ conversationId: 'conv', callSid: 'CA1' })).toEqual([
      'twilio:CA1',
      'elevenlabs:conv',
    ]);
    expect(providerKeys({})).toEqual([]);
  });

  it('derives the same call id from the same provider id, preferring the CallSid', () => {
    expect(derivedCallId({ callSid: 'CA1' })).toBe(derivedCallId({ callSid: 'CA1', conversationId: 'conv' }));
    expect(derivedCallId({ callSid: 'CA1' })).not.toBe(derivedCallId({ conversationId: 'CA1' }));
    expect(derivedCallId({ callSid: 'CA1' })).toMatch(/^ext_[0-9a-f]{24}$/);
    expect(() => derivedCallId({ callId: 'x' })).toThrow(TypeError);
  });

  it('hashes keys into document-id-safe strings', () => {
    expect(keyHash('twilio-status:CA1:0')).toMatch(/^[0-9a-f]{64}$/);
    expect(keyHash('a')).not.toBe(keyHash('b'));
  });

  it('round-trips a cursor and rejects garbage with bad_request', () => {
    const cursor = encodeCursor({ createdAt: '2030-01-01T00:00:00.000Z', callId: 'c1' });
    expect(decodeCursor(cursor)).toEqual({ createdAt: '2030-01-01T00:00:00.000Z', callId: 'c1' });
    for (const bad of ['', 'x', Buffer.from('[1,2]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });
});
