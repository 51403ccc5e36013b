// The official ElevenLabs SDK against the simulator: outbound-call, register-call, GET conversation, errors, faults.
import { ElevenLabsClient, ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_ID,
  API_KEY,
  DRIVER,
  DYNAMIC_VARIABLES,
  FROM,
  dialElevenLabs,
  startHarness,
  type Harness,
} from './fixtures.test-kit.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('outbound-call', () => {
  it('places the call itself: conversation_id + callSid, dynamic variables kept, no status callbacks to callrelay', async () => {
    h = await startHarness({ sim: { transcriptionWaitMs: 0 } });
    const res = await dialElevenLabs(h);
    expect(res).toMatchObject({ success: true, message: 'Success' });
    expect(res.conversationId).toMatch(/^conv_[0-9a-z]{28}$/);
    expect(res.callSid).toMatch(/^CA[0-9a-f]{32}$/);

    const [req] = h.sim.requests();
    expect(req).toMatchObject({ route: 'elevenlabs.outbound-call', status: 200 });
    expect(req?.body).toMatchObject({
      agent_id: AGENT_ID,
      to_number: DRIVER,
      conversation_initiation_client_data: { dynamic_variables: DYNAMIC_VARIABLES, user_id: 'driver_7' },
    });

    // At speed 0 the phone may already be answered (the agent then waits for a REST transcription start).
    const early = await h.elevenlabs.conversationalAi.conversations.get(res.conversationId ?? '');
    expect(['initiated', 'in-progress']).toContain(early.status);

    await h.sim.whenIdle();
    expect(h.receiver.of('status')).toHaveLength(0);
    const done = await h.elevenlabs.conversationalAi.conversations.get(res.conversationId ?? '');
    expect(done.status).toBe('done');
    expect(done.userId).toBe('driver_7');
    expect(done.metadata.phoneCall).toMatchObject({
      type: 'twilio',
      callSid: res.callSid,
      callResult: 'answered',
    });
    expect(done.conversationInitiationClientData?.dynamicVariables).toMatchObject(DYNAMIC_VARIABLES);
    expect(done.transcript[0]).toMatchObject({ role: 'agent', message: expect.stringContaining('Hi Sam') });
    expect(done.analysis?.callSuccessful).toBe('success');
    expect(done.analysis?.dataCollectionResults?.eta?.value).toBe('3:30 PM');
    const post = h.receiver.of('elevenlabs');
    expect(post).toHaveLength(1);
    expect(post[0]?.signatureValid).toBe(true);
    expect(post[0]?.json).toMatchObject({
      type: 'post_call_transcription',
      data: { conversation_id: res.conversationId },
    });
  });

  it('answers 422 with FastAPI-style detail for a missing field', async () => {
    h = await startHarness();
    const res = await fetch(`${h.sim.url}/v1/convai/twilio/outbound-call`, {
      method: 'POST',
      headers: { 'xi-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: AGENT_ID, to_number: DRIVER }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      detail: [expect.objectContaining({ type: 'missing', loc: ['body', 'agent_phone_number_id'] })],
    });
    expect(h.sim.calls()).toEqual([]);
  });

  it.each([
    { name: 'a wrong key', apiKey: 'nope', status: 'invalid_api_key' },
    { name: 'no key', apiKey: '', status: 'needs_authorization' },
  ])('rejects $name with 401', async ({ apiKey, status }) => {
    h = await startHarness();
    const res = await fetch(`${h.sim.url}/v1/convai/conversations/conv_x`, {
      headers: apiKey ? { 'xi-api-key': apiKey } : {},
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: { status, message: expect.any(String) } });
    const client = new ElevenLabsClient({ apiKey: 'nope', baseUrl: h.sim.url, maxRetries: 0 });
    const err = await rejection(client.conversationalAi.conversations.get('conv_x'));
    expect(err).toBeInstanceOf(ElevenLabsError);
    expect((err as ElevenLabsError).statusCode).toBe(401);
  });

  it('failNext 503: one request (maxRetries 0), ElevenLabsError 503, nothing dialed', async () => {
    h = await startHarness();
    h.sim.failNext('elevenlabs.outbound-call', { status: 503 });
    const err = await rejection(dialElevenLabs(h));
    expect(err).toBeInstanceOf(ElevenLabsError);
    expect((err as ElevenLabsError).statusCode).toBe(503);
    expect((err as ElevenLabsError).body).toEqual({
      detail: { status: 'service_unavailable', message: 'Service Unavailable' },
    });
    expect(h.sim.requests().filter((r) => r.route === 'elevenlabs.outbound-call')).toHaveLength(1);
    expect(h.sim.calls()).toEqual([]);
    // The fault was one-shot.
    await expect(dialElevenLabs(h)).resolves.toMatchObject({ success: true });
  });

  it('failNext with a delay beyond the client timeout surfaces as an SDK timeout error', async () => {
    h = await startHarness();
    h.sim.failNext('elevenlabs.outbound-call', { delayMs: 400, status: 500 });
    const err = await rejection(
      h.elevenlabs.conversationalAi.twilio.outboundCall(
        { agentId: AGENT_ID, agentPhoneNumberId: 'pn_test', toNumber: DRIVER },
        { maxRetries: 0, timeoutInSeconds: 0.1 },
      ),
    );
    // SDK 2.73 reports its own abort as ElevenLabsError("timeout"), not always ElevenLabsTimeoutError.
    expect(err instanceof ElevenLabsTimeoutError || err instanceof ElevenLabsError).toBe(true);
    expect(String((err as Error).message)).toMatch(/timeout/i);
  });
});

describe('register-call', () => {
  it('returns TwiML connecting a <Stream> and remembers the conversation', async () => {
    h = await startHarness();
    const twiml = await h.elevenlabs.conversationalAi.twilio.registerCall({
      agentId: AGENT_ID,
      fromNumber: FROM,
      toNumber: DRIVER,
      direction: 'outbound',
      conversationInitiationClientData: { dynamicVariables: DYNAMIC_VARIABLES },
    });
    expect(twiml).toMatch(/<Response><Connect><Stream url="wss:\/\/[^"]+">/);
    const id = /name="conversation_id" value="([^"]+)"/.exec(twiml)?.[1] ?? '';
    const conv = await h.elevenlabs.conversationalAi.conversations.get(id);
    expect(conv.status).toBe('initiated');
    expect(conv.conversationInitiationClientData?.dynamicVariables).toMatchObject({ driver_name: 'Sam' });
    expect(h.sim.requests()[0]?.body).toMatchObject({
      agent_id: AGENT_ID,
      from_number: FROM,
      direction: 'outbound',
    });
  });
});

describe('conversations.get', () => {
  it('404 for an unknown conversation → ElevenLabsError statusCode 404', async () => {
    h = await startHarness();
    const err = await rejection(h.elevenlabs.conversationalAi.conversations.get('conv_unknown'));
    expect(err).toBeInstanceOf(ElevenLabsError);
    expect((err as ElevenLabsError).statusCode).toBe(404);
    expect((err as ElevenLabsError).body).toEqual({
      detail: expect.objectContaining({ status: 'conversation_not_found' }),
    });
  });
});
