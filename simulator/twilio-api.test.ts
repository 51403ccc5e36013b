// The official twilio SDK (through TwilioLocalHttpClient) against the simulator: calls and real-time transcriptions.
import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { TwilioLocalHttpClient } from '../core/adapters/twilio/twilio-local-http-client.ts';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  DRIVER,
  FROM,
  STATUS_CALLBACK,
  dialElevenLabs,
  dialRegister,
  startHarness,
  type Harness,
} from './fixtures.test-kit.ts';
import { PATHS, PUBLIC_BASE } from './webhook-receiver.test-kit.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('TwilioLocalHttpClient', () => {
  it.each([
    [
      'https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?x=1',
      'http://127.0.0.1:4010',
      'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Calls.json?x=1',
    ],
    [
      'https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json',
      'http://sim.local:9/prefix/',
      'http://sim.local:9/prefix/2010-04-01/Accounts/AC1/Calls.json',
    ],
    ['https://example.com/other', 'http://127.0.0.1:4010', 'https://example.com/other'],
  ])('rewrites %s', (uri, base, expected) => {
    expect(new TwilioLocalHttpClient(base).rewrite(uri)).toBe(expected);
  });

  it('rejects a non-http base URL', () => {
    expect(() => new TwilioLocalHttpClient('ftp://x')).toThrow(TypeError);
  });
});

describe('calls', () => {
  it('create answers a queued call resource; fetch follows it to completed', async () => {
    h = await startHarness();
    const call = await dialRegister(h);
    expect(call).toMatchObject({
      accountSid: ACCOUNT_SID,
      to: DRIVER,
      from: FROM,
      status: 'queued',
      direction: 'outbound-api',
    });
    expect(h.sim.requests()[0]?.body).toMatchObject({
      To: DRIVER,
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      StatusCallback: STATUS_CALLBACK,
    });
    await h.sim.whenIdle();
    const fetched = await h.twilio.calls(call.sid).fetch();
    expect(fetched).toMatchObject({ sid: call.sid, status: 'completed' });
    expect(Number(fetched.duration)).toBeGreaterThan(30);
    expect(fetched.startTime).toBeInstanceOf(Date);
    expect(fetched.endTime.getTime()).toBeGreaterThan(fetched.startTime.getTime());
  });

  it('fetch of an unknown call → RestException 404 code 20404', async () => {
    h = await startHarness();
    const err = await rejection(h.twilio.calls('CA' + 'f'.repeat(32)).fetch());
    expect(err).toMatchObject({ status: 404, code: 20404 });
  });

  it('bad credentials → 401 code 20003', async () => {
    h = await startHarness();
    const bad = twilio(ACCOUNT_SID, 'wrong', { httpClient: new TwilioLocalHttpClient(h.sim.url) });
    const err = await rejection(bad.calls.create({ to: DRIVER, from: FROM, url: PUBLIC_BASE + PATHS.voice }));
    expect(err).toMatchObject({ status: 401, code: 20003 });
    expect(h.sim.calls()).toEqual([]);
  });

  it.each<{ name: string; body: Record<string, string>; code: number }>([
    { name: 'no To', body: { From: FROM, Url: 'https://x.test/v' }, code: 21201 },
    { name: 'no From', body: { To: DRIVER, Url: 'https://x.test/v' }, code: 21603 },
    { name: 'bad To', body: { To: '555', From: FROM, Url: 'https://x.test/v' }, code: 21211 },
    { name: 'no Url/Twiml', body: { To: DRIVER, From: FROM }, code: 21205 },
  ])('create with $name → 400 code $code', async ({ body, code }) => {
    h = await startHarness();
    const res = await fetch(`${h.sim.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      method: 'POST',
      headers: {
        authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(body).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code,
      message: expect.any(String),
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status: 400,
    });
  });

  it('failNext 500 → RestException 500 and nothing dialed', async () => {
    h = await startHarness();
    h.sim.failNext('twilio.create-call', { status: 500 });
    const err = await rejection(dialRegister(h));
    expect(err).toMatchObject({ status: 500, code: 20500 });
    expect(h.sim.calls()).toEqual([]);
  });

  it('failNext delay beyond the SDK timeout rejects the client; the provider may still dial afterwards', async () => {
    h = await startHarness({ twilioTimeoutMs: 150 });
    h.sim.failNext('twilio.create-call', { delayMs: 400 });
    const started = Date.now();
    const err = await rejection(dialRegister(h));
    expect(Date.now() - started).toBeLessThan(400);
    expect(String(err.message)).toMatch(/timeout/i);
    await until(async () => h?.sim.calls().length === 1);
  });
});

describe('transcriptions (elevenlabs dial mode)', () => {
  it('21220 until the call is in progress; then starts live transcription of both tracks', async () => {
    h = await startHarness({ sim: { speed: 20 } });
    const dial = await dialElevenLabs(h);
    const callSid = dial.callSid ?? '';
    const options = {
      name: `rt-${callSid}`,
      track: 'both_tracks' as const,
      statusCallbackUrl: PUBLIC_BASE + PATHS.transcription,
      statusCallbackMethod: 'POST',
      inboundTrackLabel: 'driver',
      outboundTrackLabel: 'agent',
      partialResults: false,
    };
    const early = await rejection(h.twilio.calls(callSid).transcriptions.create(options));
    expect(early).toMatchObject({ status: 400, code: 21220 });

    await until(async () => (await h!.twilio.calls(callSid).fetch()).status === 'in-progress');
    const rt = await h.twilio.calls(callSid).transcriptions.create(options);
    expect(rt).toMatchObject({ callSid, name: options.name, status: 'in-progress', accountSid: ACCOUNT_SID });
    expect(rt.sid).toMatch(/^GT[0-9a-f]{32}$/);
    expect(
      h.sim.requests().find((r) => r.route === 'twilio.create-transcription' && r.status === 201)?.body,
    ).toMatchObject({
      Name: options.name,
      Track: 'both_tracks',
      InboundTrackLabel: 'driver',
      PartialResults: 'false',
    });

    await h.sim.whenIdle();
    const hooks = h.receiver.of('transcription');
    expect(
      hooks.every(
        (x) => x.signatureValid && x.params.TranscriptionSid === rt.sid && x.params.CallSid === callSid,
      ),
    ).toBe(true);
    expect(hooks[0]?.params.TranscriptionEvent).toBe('transcription-started');
    expect(hooks.at(-1)?.params.TranscriptionEvent).toBe('transcription-stopped');
    const content = hooks.filter((x) => x.params.TranscriptionEvent === 'transcription-content');
    // The agent waited for the transcription, so the greeting is heard.
    expect(JSON.parse(content[0]?.params.TranscriptionData ?? '{}')).toMatchObject({
      transcript: expect.stringContaining('Hi Sam'),
    });
    expect(new Set(content.map((x) => x.params.Track))).toEqual(new Set(['inbound_track', 'outbound_track']));
    expect(h.receiver.of('status')).toHaveLength(0);

    const late = await rejection(h.twilio.calls(callSid).transcriptions.create(options));
    expect(late).toMatchObject({ status: 400, code: 21220 });
  });

  it('stops a transcription by name (Status=stopped)', async () => {
    h = await startHarness({ sim: { speed: 100 } });
    const dial = await dialElevenLabs(h);
    const callSid = dial.callSid ?? '';
    await until(async () => (await h!.twilio.calls(callSid).fetch()).status === 'in-progress');
    await h.twilio
      .calls(callSid)
      .transcriptions.create({ name: 'rt1', statusCallbackUrl: PUBLIC_BASE + PATHS.transcription });
    const stopped = await h.twilio.calls(callSid).transcriptions('rt1').update({ status: 'stopped' });
    expect(stopped.status).toBe('stopped');
    await h.sim.whenIdle();
    const events = h.receiver.of('transcription').map((x) => x.params.TranscriptionEvent);
    expect(events.filter((e) => e === 'transcription-stopped')).toHaveLength(1);
    expect(events.at(-1)).toBe('transcription-stopped');
  });

  it('create on an unknown call → 404 code 20404', async () => {
    h = await startHarness();
    const err = await rejection(h.twilio.calls('CA' + '0'.repeat(32)).transcriptions.create({ name: 'x' }));
    expect(err).toMatchObject({ status: 404, code: 20404 });
  });
});
