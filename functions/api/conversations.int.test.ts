// Conversation fetch reconciles like the post-call webhook (stored once, whichever comes first); voice webhook failures.
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { elevenLabsSignature } from '../../simulator/signing.ts';
import twilio from 'twilio';
import { PUBLIC_BASE_URL, TWILIO_TOKEN, startApiStack, triggerBody, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
type Created = { callId: string; callSid: string; conversationId: string | null };
type Fetched = {
  callId: string;
  conversationId: string;
  status: string;
  reconciled: string;
  transcript: unknown[];
  analysis: { dataCollection: Record<string, { value: unknown }> };
};

describe.each(backends)('conversations on %s', (backend) => {
  let stack: ApiStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function placeCall(s: ApiStack, token: string): Promise<Created> {
    const res = await s.request('POST', '/driver_data/call-elevenlabs', { token, body: triggerBody() });
    expect(res.status).toBe(201);
    await s.settle();
    return res.body as Created;
  }
  const events = async (s: ApiStack, token: string, callId: string) =>
    ((await s.request('GET', `/calls/${callId}/events?limit=500`, { token })).body as { events: CallEvent[] })
      .events;
  const fetchConversation = async (s: ApiStack, token: string, conversationId: string) =>
    s.request('POST', `/driver_data/conversations/${conversationId}/fetch`, { token });

  it('fetch after the webhook stores nothing twice', async () => {
    stack = await startApiStack({ backend, env: { DIAL_MODE: 'elevenlabs' } });
    const token = await stack.login();
    const { callId, conversationId } = await placeCall(stack, token);
    const before = await events(stack, token, callId);
    expect(before.filter((e) => e.kind === 'transcript')).toHaveLength(1);

    for (let i = 0; i < 2; i++) {
      const res = await fetchConversation(stack, token, conversationId!);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        callId,
        conversationId,
        status: 'done',
        reconciled: 'already_stored',
      });
      expect((res.body as Fetched).analysis.dataCollection.acknowledged?.value).toBe(true);
    }
    expect(await events(stack, token, callId)).toEqual(before);
  });

  it('a missed post-call webhook is recovered by fetch, and a late webhook then stores nothing (register mode)', async () => {
    let webhookOpen = false;
    stack = await startApiStack({
      backend,
      env: { DIAL_MODE: 'register' },
      unreachable: (url) => url.includes('/webhooks/elevenlabs') && !webhookOpen,
    });
    const token = await stack.login();
    const { callId } = await placeCall(stack, token);
    const missed = stack.sim.deliveries().find((d) => d.kind === 'elevenlabs');
    expect(missed?.outcome).toBe('failed');
    expect((await events(stack, token, callId)).some((e) => e.kind === 'transcript')).toBe(false);
    const conversationId = stack.sim.calls()[0]?.conversationId;
    expect(conversationId).toBeTruthy();

    // Register mode learns the conversation id only now: the call is found through `callrelay_call_id`.
    const res = await fetchConversation(stack, token, conversationId!);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ callId, conversationId, status: 'done', reconciled: 'stored' });
    const after = await events(stack, token, callId);
    const transcript = after.filter((e) => e.kind === 'transcript');
    expect(transcript).toHaveLength(1);
    expect(transcript[0]).toMatchObject({ source: 'elevenlabs_fetch', conversationStatus: 'done' });
    const call = (await stack.request('GET', `/calls/${callId}`, { token })).body as Call;
    expect(call).toMatchObject({ conversationId, outcome: { dataCollection: { acknowledged: true } } });

    // The webhook arriving late (provider retry, replay) is a duplicate: nothing new is stored.
    webhookOpen = true;
    const payload = JSON.stringify(missed?.payload);
    const late = await fetch(`${stack.url}/webhooks/elevenlabs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'elevenlabs-signature': elevenLabsSignature(
          'wsec_sim_secret',
          payload,
          Math.floor(Date.now() / 1000),
        ),
      },
      body: payload,
    });
    expect(late.status).toBe(200);
    expect(await events(stack, token, callId)).toEqual(after);
  });

  it('unknown conversation → 404; provider failure → 502', async () => {
    stack = await startApiStack({ backend });
    const token = await stack.login();
    const unknown = await fetchConversation(stack, token, 'conv_doesnotexist');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: 'conversation not found' } });
    stack.sim.failNext('elevenlabs.get-conversation', { status: 503 });
    const failed = await fetchConversation(stack, token, 'conv_whatever');
    expect(failed.status).toBe(502);
    expect((failed.body as { error: { code: string } }).error.code).toBe('provider_error');
  });

  it('register mode: a replayed or racing voice webhook gets the first TwiML and registers nothing again', async () => {
    stack = await startApiStack({ backend, env: { DIAL_MODE: 'register' } });
    const s = stack;
    const callId = `call_voice_${Math.random().toString(36).slice(2, 10)}`;
    await s.backend.store.createCall({ callId, orgId: 'org-acme', status: 'in-progress' });
    const params = { CallSid: `CA${'f'.repeat(32)}`, From: '+15550000001', To: '+15551234567' };
    const path = `/webhooks/twilio/voice?callId=${callId}`;
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_BASE_URL}${path}`, params);
    const voice = () =>
      s.request('POST', path, {
        rawBody: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      });
    const registrations = () => s.sim.requests().filter((r) => r.route === 'elevenlabs.register-call').length;
    // The first registration is slow, so the second copy arrives while it is still in flight.
    s.sim.failNext('elevenlabs.register-call', { delayMs: 600 });
    const raced = await Promise.all([voice(), voice()]);
    const replayed = await voice();
    for (const res of [...raced, replayed]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain('<Stream');
      expect(res.text).toBe(raced[0]!.text);
    }
    expect(registrations()).toBe(1);
  });

  it('register mode: an ElevenLabs register-call failure hangs up and records the reason', async () => {
    stack = await startApiStack({ backend, env: { DIAL_MODE: 'register' } });
    const token = await stack.login();
    stack.sim.failNext('elevenlabs.register-call', { status: 500 });
    const { callId } = await placeCall(stack, token);
    const call = (await stack.request('GET', `/calls/${callId}`, { token })).body as Call;
    expect(call.status).toBe('failed');
    expect(call.failureReason).toMatch('elevenlabs register-call failed: HTTP 500');
    const voice = stack.sim.deliveries().find((d) => d.kind === 'twilio-voice');
    expect(voice).toMatchObject({ outcome: 'delivered', status: 200 });
  });
});
