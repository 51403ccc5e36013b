// Standard Webhooks signing, checked against the reference `standardwebhooks` verifier.
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signWebhook, webhookHeaders } from './webhook-signature.ts';

describe('webhook signatures', () => {
  it('makes whsec_ secrets of 24 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('signs so the reference library verifies with each of several secrets', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({
      type: 'webhook.test',
      timestamp: '2026-03-01T08:00:00Z',
      data: { n: 'é' },
    });
    const headers = webhookHeaders({ id: 'msg_1', at: new Date(), body, secrets: [a, b] });
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, headers)).toMatchObject({ type: 'webhook.test' });
    expect(new Webhook(b).verify(body, headers)).toMatchObject({ type: 'webhook.test' });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(a).verify(`${body} `, headers)).toThrow();
  });

  it('matches the reference library’s own signature', () => {
    const secret = newWebhookSecret();
    const at = new Date('2026-03-01T08:00:00Z');
    expect(signWebhook({ id: 'msg_2', timestamp: at.getTime() / 1000, body: '{}', secrets: [secret] })).toBe(
      new Webhook(secret).sign('msg_2', at, '{}'),
    );
  });

  it('refuses caller bugs: no secret, or one without the whsec_ prefix', () => {
    expect(() => signWebhook({ id: 'm', timestamp: 1, body: '', secrets: [] })).toThrow(TypeError);
    expect(() => signWebhook({ id: 'm', timestamp: 1, body: '', secrets: ['nope'] })).toThrow(TypeError);
  });
});
