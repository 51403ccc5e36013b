// Table-driven checks of the relay's client-frame parser.
import { describe, expect, it } from 'vitest';
import { parseClientMessage } from './parse-client-message.ts';

describe('parseClientMessage', () => {
  it.each([
    ['subscribe', { type: 'subscribe', callId: 'c1' }],
    ['subscribe with afterSeq', { type: 'subscribe', callId: 'c1', afterSeq: 0 }],
    ['unsubscribe', { type: 'unsubscribe', callId: 'c1' }],
    ['subscribe_calls', { type: 'subscribe_calls' }],
    ['subscribe_calls with utterances', { type: 'subscribe_calls', utterances: true }],
    ['subscribe_campaign', { type: 'subscribe_campaign', campaignId: 'cmp_1' }],
    ['unsubscribe_campaign', { type: 'unsubscribe_campaign', campaignId: 'cmp_1' }],
    ['auth', { type: 'auth', token: 'a.b.c' }],
    ['ping', { type: 'ping' }],
  ])('accepts %s', (_name, frame) => {
    expect(parseClientMessage(JSON.stringify(frame))).toEqual({ ok: true, message: frame });
  });

  it.each([
    ['not JSON', '{nope'],
    ['a JSON array', '[]'],
    ['null', 'null'],
    ['unknown type', JSON.stringify({ type: 'publish', callId: 'c1' })],
    ['missing type', JSON.stringify({ callId: 'c1' })],
    ['subscribe without callId', JSON.stringify({ type: 'subscribe' })],
    ['empty callId', JSON.stringify({ type: 'subscribe', callId: '' })],
    ['huge callId', JSON.stringify({ type: 'subscribe', callId: 'x'.repeat(129) })],
    ['callId with a slash', JSON.stringify({ type: 'subscribe', callId: 'a/b' })],
    ['negative afterSeq', JSON.stringify({ type: 'subscribe', callId: 'c1', afterSeq: -1 })],
    ['fractional afterSeq', JSON.stringify({ type: 'subscribe', callId: 'c1', afterSeq: 1.5 })],
    ['string afterSeq', JSON.stringify({ type: 'subscribe', callId: 'c1', afterSeq: '3' })],
    ['extra field', JSON.stringify({ type: 'ping', extra: 1 })],
    ['non-boolean utterances', JSON.stringify({ type: 'subscribe_calls', utterances: 'yes' })],
    ['subscribe_campaign without campaignId', JSON.stringify({ type: 'subscribe_campaign' })],
    ['campaignId with a slash', JSON.stringify({ type: 'subscribe_campaign', campaignId: 'a/b' })],
    ['subscribe_campaign with a callId', JSON.stringify({ type: 'subscribe_campaign', callId: 'c1' })],
    ['auth without token', JSON.stringify({ type: 'auth' })],
    ['auth with huge token', JSON.stringify({ type: 'auth', token: 'x'.repeat(8193) })],
  ])('rejects %s', (_name, text) => {
    const result = parseClientMessage(text);
    expect(result.ok).toBe(false);
  });

  it('echoes the callId of a rejected subscribe, never the token of a rejected auth', () => {
    const sub = parseClientMessage(JSON.stringify({ type: 'subscribe', callId: 'c9', afterSeq: -4 }));
    expect(sub).toMatchObject({ ok: false, callId: 'c9' });
    const campaign = parseClientMessage(
      JSON.stringify({ type: 'subscribe_campaign', campaignId: 'k1', x: 1 }),
    );
    expect(campaign).toMatchObject({ ok: false, campaignId: 'k1' });
    const secret = 'secret-token-value'.repeat(600);
    const auth = parseClientMessage(JSON.stringify({ type: 'auth', token: secret }));
    expect(auth.ok).toBe(false);
    expect(JSON.stringify(auth)).not.toContain('secret-token-value');
  });
});
