// The three webhooks over real HTTP on both backends: verification, mapping, idempotency, ordering, failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, emulatorsAvailable, type BackendName } from '../../test/backends.ts';
import { healthRoute } from '../http/health-route.ts';
import { ingestRoutes } from './webhook-routes.ts';
import { startLocalServer, type LocalServer } from '../local-server.ts';
import type { BusSubscription } from '../../core/ports/event-bus.ts';
import { WEBHOOK_PATHS } from './webhook-deps.ts';
import {
  BusRecorder,
  DEFAULT_ORG,
  NOW_SECS,
  PUBLIC_BASE_URL,
  elevenLabsRequest,
  initiationFailureWebhook,
  openTestBackend,
  post,
  silentLogger,
  statusParams,
  transcriptionParams,
  transcriptionWebhook,
  twilioRequest,
  uid,
  waitFor,
  type SignedRequest,
  type TestBackend,
} from './webhook.test-kit.ts';

const STATUS = WEBHOOK_PATHS.twilioStatus;

type AuthCase = [name: string, req: SignedRequest, status: number, code: string | undefined];
const cases = (rows: AuthCase[]) => rows.map(([name, req, status, code]) => ({ name, req, status, code }));
const TRANSCRIPTION = WEBHOOK_PATHS.twilioTranscription;

describe.each(BACKENDS)('webhooks on the %s backend', (name: BackendName) => {
  const skip = name === 'google' && !emulatorsAvailable();
  let backend: TestBackend;
  let server: LocalServer;
  let recorder: BusRecorder;
  let subscription: BusSubscription;
  const send = (req: SignedRequest) => post(server.url, req);
  const store = () => backend.deps.store;

  beforeAll(async () => {
    if (skip) return;
    backend = await openTestBackend(name);
    server = await startLocalServer({
      routes: [...ingestRoutes(backend.deps), healthRoute],
      port: 0,
      logger: silentLogger(),
      projectId: 'demo',
    });
    recorder = new BusRecorder();
    subscription = await backend.deps.bus.subscribe(uid('webhooks-test-'), recorder.handler);
  });

  afterAll(async () => {
    if (skip) return;
    await subscription.close();
    await server.close();
    await backend.close();
  });

  describe.skipIf(skip)('verification', () => {
    const callSid = uid('CA');
    const params = statusParams(callSid, 'ringing', 1);

    it.each(
      cases([
        ['valid', twilioRequest(STATUS, params), 200, undefined],
        [
          'forged (wrong token)',
          twilioRequest(STATUS, params, { token: 'not-the-token' }),
          403,
          'invalid_signature',
        ],
        [
          'tampered body',
          {
            ...twilioRequest(STATUS, params),
            body: new URLSearchParams({ ...params, CallStatus: 'completed' }).toString(),
          },
          403,
          'invalid_signature',
        ],
        [
          'wrong URL (signed for another host)',
          twilioRequest(STATUS, params, { signedUrl: `https://evil.example${STATUS}` }),
          403,
          'invalid_signature',
        ],
        [
          'wrong URL (signed for another path)',
          twilioRequest(STATUS, params, { signedUrl: `${PUBLIC_BASE_URL}${TRANSCRIPTION}` }),
          403,
          'invalid_signature',
        ],
        [
          'query string not covered by the signature',
          { ...twilioRequest(STATUS, params), path: `${STATUS}?callId=someone-else` },
          403,
          'invalid_signature',
        ],
        ['missing signature', twilioRequest(STATUS, params, { signature: null }), 401, 'missing_signature'],
      ]),
    )('Twilio $name → $status', async ({ req, status, code }) => {
      const res = await send(req);
      expect(res.status).toBe(status);
      if (code) expect(res.body).toMatchObject({ error: { code } });
    });

    const conversationId = uid('conv_');
    const payload = transcriptionWebhook(conversationId);
    const body = JSON.stringify(payload);

    it.each(
      cases([
        ['valid', elevenLabsRequest(body), 200, undefined],
        ['valid at -29 min', elevenLabsRequest(body, { t: NOW_SECS - 29 * 60 }), 200, undefined],
        [
          'forged (wrong secret)',
          elevenLabsRequest(body, { secret: 'wsec_other' }),
          403,
          'invalid_signature',
        ],
        [
          'tampered body',
          { ...elevenLabsRequest(body), body: body.replace('Yes, I am on it.', 'No, I refuse.') },
          403,
          'invalid_signature',
        ],
        [
          'stale timestamp (-31 min)',
          elevenLabsRequest(body, { t: NOW_SECS - 31 * 60 }),
          403,
          'invalid_signature',
        ],
        [
          'future timestamp (+31 min)',
          elevenLabsRequest(body, { t: NOW_SECS + 31 * 60 }),
          403,
          'invalid_signature',
        ],
        ['no v0 part', elevenLabsRequest(body, { signature: `t=${NOW_SECS}` }), 403, 'invalid_signature'],
        ['missing signature', elevenLabsRequest(body, { signature: null }), 401, 'missing_signature'],
      ]),
    )('ElevenLabs $name → $status', async ({ req, status, code }) => {
      const res = await send(req);
      expect(res.status).toBe(status);
      if (code) expect(res.body).toMatchObject({ error: { code } });
    });

    it('stores nothing for rejected requests', async () => {
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      expect((await store().eventsAfter(call.callId, 0)).map((e) => e.kind)).toEqual(['call_status']);
    });
  });

  describe.skipIf(skip)('Twilio status callbacks', () => {
    it('stores an unknown CallSid under DEFAULT_ORG', async () => {
      const callSid = uid('CA');
      expect((await send(twilioRequest(STATUS, statusParams(callSid, 'initiated', 0)))).status).toBe(200);
      const call = await store().resolveCall({ callSid }, 'some-other-org');
      expect(call).toMatchObject({ orgId: DEFAULT_ORG, callSid, status: 'initiated', lastSeq: 1 });
    });

    it('attaches callbacks to the call named by the signed callId query parameter', async () => {
      const callId = uid('call_');
      await store().createCall({ callId, orgId: 'org-a' });
      const callSid = uid('CA');
      const res = await send(
        twilioRequest(STATUS, statusParams(callSid, 'ringing', 1), { query: `callId=${callId}` }),
      );
      expect(res).toMatchObject({ status: 200, body: { callId } });
      expect(await store().getCall(callId)).toMatchObject({ orgId: 'org-a', callSid, status: 'ringing' });
    });

    it('keeps only forward moves when callbacks arrive out of order', async () => {
      const callSid = uid('CA');
      const completed = statusParams(callSid, 'completed', 3, { CallDuration: '42', Duration: '1' });
      for (const p of [
        completed,
        statusParams(callSid, 'ringing', 1),
        statusParams(callSid, 'in-progress', 2),
      ]) {
        expect((await send(twilioRequest(STATUS, p))).status).toBe(200);
      }
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      expect(call).toMatchObject({ status: 'completed', durationSecs: 42 });
      const events = await store().eventsAfter(call.callId, 0);
      expect(events).toEqual([
        expect.objectContaining({ seq: 1, kind: 'call_status', status: 'completed', source: 'twilio' }),
      ]);
    });

    it('records a failed call with its SIP code', async () => {
      const callSid = uid('CA');
      await send(
        twilioRequest(
          STATUS,
          statusParams(callSid, 'no-answer', 2, { SipResponseCode: '487', CallDuration: '0' }),
        ),
      );
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      expect(call).toMatchObject({ status: 'no-answer', failureReason: 'no-answer (SIP 487)' });
    });

    it('stores 10 deliveries of one callback once and republishes each', async () => {
      const callSid = uid('CA');
      const req = twilioRequest(STATUS, statusParams(callSid, 'ringing', 1));
      const responses = await Promise.all(Array.from({ length: 10 }, () => send(req)));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      const events = await store().eventsAfter(call.callId, 0);
      expect(events).toHaveLength(1);
      await waitFor(() => recorder.events(call.callId).length >= 10, 15_000, '10 publishes');
      expect(new Set(recorder.events(call.callId).map((e) => `${e.seq}/${e.dedupeKey}`))).toEqual(
        new Set([`1/${events[0]!.dedupeKey}`]),
      );
    });

    it.each([
      ['missing CallStatus', { CallSid: 'CA1', SequenceNumber: '1' }],
      ['non-numeric SequenceNumber', { CallSid: 'CA1', CallStatus: 'ringing', SequenceNumber: 'one' }],
      ['missing CallSid', { CallStatus: 'ringing', SequenceNumber: '1' }],
    ])('answers 400 invalid_payload for %s', async (_case, params) => {
      const res = await send(twilioRequest(STATUS, params));
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_payload' } } });
    });

    it('answers 400 for a malformed callId query parameter', async () => {
      const res = await send(
        twilioRequest(STATUS, statusParams(uid('CA'), 'ringing', 1), { query: 'callId=a%2Fb' }),
      );
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_payload' } } });
    });

    it('acknowledges an unknown CallStatus without storing it', async () => {
      const callSid = uid('CA');
      expect((await send(twilioRequest(STATUS, statusParams(callSid, 'teleported', 1)))).status).toBe(200);
      expect((await store().listCalls(DEFAULT_ORG, { callSid }, { limit: 5 })).calls).toEqual([]);
    });
  });

  describe.skipIf(skip)('Twilio real-time transcription', () => {
    it('stores final content as segments with speaker, confidence and offset since answer', async () => {
      const callSid = uid('CA');
      await send(
        twilioRequest(
          STATUS,
          statusParams(callSid, 'in-progress', 2, { Timestamp: 'Thu, 15 Jan 2026 12:00:00 +0000' }),
        ),
      );
      const driver = transcriptionParams(callSid, 1, { track: 'inbound_track', text: 'On my way' });
      const agent = transcriptionParams(callSid, 2, {
        track: 'outbound_track',
        text: 'Thanks',
        timestamp: '2026-01-15T12:00:07.000000Z',
      });
      expect((await send(twilioRequest(TRANSCRIPTION, driver))).status).toBe(200);
      expect((await send(twilioRequest(TRANSCRIPTION, agent))).status).toBe(200);
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      const segments = (await store().eventsAfter(call.callId, 0)).filter((e) => e.kind === 'segment');
      expect(segments).toEqual([
        expect.objectContaining({
          seq: 2,
          speaker: 'driver',
          text: 'On my way',
          confidence: 0.93,
          offsetMs: 5250,
        }),
        expect.objectContaining({
          seq: 3,
          speaker: 'agent',
          text: 'Thanks',
          offsetMs: 7000,
          source: 'twilio_realtime',
        }),
      ]);
    });

    it('publishes partial content without storing it', async () => {
      const callSid = uid('CA');
      const res = await send(
        twilioRequest(TRANSCRIPTION, transcriptionParams(callSid, 1, { final: false, text: 'On m' })),
      );
      expect(res.status).toBe(200);
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      await waitFor(() => recorder.partials(call.callId).length === 1, 10_000, 'the partial');
      expect(recorder.partials(call.callId)[0]).toEqual({
        type: 'partial',
        orgId: DEFAULT_ORG,
        partial: expect.objectContaining({
          kind: 'partial',
          callId: call.callId,
          speaker: 'driver',
          text: 'On m',
          stability: 0.4,
        }),
        // Where it stands in its stream (TranscriptionSid + track, SequenceId): the relay drops a replay by it.
        position: { stream: `GT${callSid.slice(2)}:driver`, at: 1 },
      });
      expect(await store().eventsAfter(call.callId, 0)).toEqual([]);
      expect(call.lastSeq).toBe(0);
    });

    it.each([
      'transcription-started',
      'transcription-stopped',
      'transcription-error',
      'transcription-paused',
    ])('acknowledges %s without storing anything', async (event) => {
      const callSid = uid('CA');
      const params = {
        ...transcriptionParams(callSid, 0, { event }),
        ...(event === 'transcription-error'
          ? { TranscriptionErrorCode: '32655', TranscriptionError: 'Provider Unavailable' }
          : {}),
      };
      expect((await send(twilioRequest(TRANSCRIPTION, params))).status).toBe(200);
      expect((await store().listCalls(DEFAULT_ORG, { callSid }, { limit: 5 })).calls).toEqual([]);
    });

    it.each([
      ['TranscriptionData that is not JSON', { TranscriptionData: '{"transcript":' }],
      ['TranscriptionData without transcript', { TranscriptionData: '{"confidence":0.5}' }],
      ['an unknown Track', { Track: 'both_tracks' }],
      ['Final that is not a boolean', { Final: 'maybe' }],
    ])('answers 400 invalid_payload for %s', async (_case, override) => {
      const params = { ...transcriptionParams(uid('CA'), 1), ...override };
      const res = await send(twilioRequest(TRANSCRIPTION, params));
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_payload' } } });
    });
  });

  describe.skipIf(skip)('ElevenLabs post-call webhooks', () => {
    it('stores the transcript (and completes the call) on the call named by callrelay_call_id', async () => {
      const callId = uid('call_');
      const callSid = uid('CA');
      await store().createCall({ callId, orgId: 'org-b', status: 'in-progress' });
      const conversationId = uid('conv_');
      const res = await send(elevenLabsRequest(transcriptionWebhook(conversationId, { callSid, callId })));
      expect(res).toMatchObject({ status: 200, body: { callId } });
      const call = await store().getCall(callId);
      expect(call).toMatchObject({
        orgId: 'org-b',
        callSid,
        conversationId,
        status: 'completed',
        durationSecs: 42,
        outcome: {
          summary: 'Driver acknowledged the reminder.',
          callSuccessful: 'success',
          dataCollection: { acknowledged: true, eta: null },
        },
      });
      const events = await store().eventsAfter(callId, 0);
      expect(events.map((e) => e.kind)).toEqual(['call_status', 'transcript']);
      expect(events[1]).toMatchObject({
        kind: 'transcript',
        conversationId,
        source: 'elevenlabs_webhook',
        conversationStatus: 'done',
        turns: [
          { speaker: 'agent', text: 'Hi, this is dispatch.', offsetSecs: 0 },
          { speaker: 'driver', text: 'Yes, I am on it.', offsetSecs: 3.5 },
        ],
        dataCollection: {
          acknowledged: { value: true, rationale: 'The driver said yes.' },
          eta: { value: null },
        },
        terminationReason: 'end_call tool was called.',
      });
    });

    it('does not touch a status Twilio already ended', async () => {
      const callSid = uid('CA');
      await send(twilioRequest(STATUS, statusParams(callSid, 'completed', 3, { CallDuration: '40' })));
      const res = await send(elevenLabsRequest(transcriptionWebhook(uid('conv_'), { callSid })));
      expect(res.status).toBe(200);
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      expect(call.durationSecs).toBe(40);
      expect(
        (await store().eventsAfter(call.callId, 0)).map((e) => `${e.kind}:${'source' in e ? e.source : ''}`),
      ).toEqual(['call_status:twilio', 'transcript:elevenlabs_webhook']);
    });

    it.each([
      ['busy', 'busy'],
      ['no-answer', 'no-answer'],
      ['unknown', 'failed'],
    ])('maps call_initiation_failure %s to status %s', async (reason, status) => {
      const callSid = uid('CA');
      const res = await send(elevenLabsRequest(initiationFailureWebhook(uid('conv_'), reason, callSid)));
      expect(res.status).toBe(200);
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      expect(call).toMatchObject({ orgId: DEFAULT_ORG, status, failureReason: reason });
      expect(await store().eventsAfter(call.callId, 0)).toEqual([
        expect.objectContaining({ kind: 'call_status', status, reason, source: 'elevenlabs' }),
      ]);
    });

    it.each([
      [
        'post_call_audio',
        {
          type: 'post_call_audio',
          event_timestamp: NOW_SECS,
          data: { conversation_id: 'c', full_audio: 'SUQz'.repeat(5000) },
        },
      ],
      [
        'an unknown type',
        { type: 'conversation_teleported', event_timestamp: NOW_SECS, data: { conversation_id: 'c' } },
      ],
    ])('acknowledges %s without storing anything', async (_case, payload) => {
      const conversationId = uid('conv_');
      const res = await send(
        elevenLabsRequest({ ...payload, data: { ...payload.data, conversation_id: conversationId } }),
      );
      expect(res.status).toBe(200);
      expect((await store().listCalls(DEFAULT_ORG, { conversationId }, { limit: 5 })).calls).toEqual([]);
    });

    it.each([
      ['a body that is not JSON', '{"type":'],
      ['no type', { data: {} }],
      [
        'post_call_transcription without conversation_id',
        { type: 'post_call_transcription', data: { status: 'done' } },
      ],
      [
        'a transcript that is not a list',
        { type: 'post_call_transcription', data: { conversation_id: 'c', transcript: 'hi' } },
      ],
    ])('answers 400 invalid_payload for %s', async (_case, payload) => {
      const res = await send(elevenLabsRequest(payload));
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_payload' } } });
    });
  });

  describe.skipIf(skip)('work before authentication', () => {
    const manyFields = Array.from({ length: 30_000 }, (_, i) => `Field${i}=${i}`).join('&');

    it.each([
      ['application/x-www-form-urlencoded', 413, 'payload_too_large'],
      ['text/plain', 415, 'unsupported_media_type'],
    ])(
      'refuses an unsigned 30,000-field %s body at once, and /healthz keeps answering',
      async (contentType, status, code) => {
        // CPU time of this process (the server runs in it), not wall time: a busy machine stretches the latter.
        // Before the limits this request cost seconds of CPU (a quadratic getAll per key before the HMAC).
        const cpuBefore = process.cpuUsage();
        const [res, health] = await Promise.all([
          fetch(`${server.url}${STATUS}`, {
            method: 'POST',
            headers: { 'content-type': contentType, 'x-twilio-signature': 'bogus' },
            body: manyFields,
          }),
          fetch(`${server.url}/healthz`),
        ]);
        const cpu = process.cpuUsage(cpuBefore);
        expect(res.status).toBe(status);
        expect(await res.json()).toMatchObject({ error: { code } });
        expect(health.status).toBe(200);
        expect((cpu.user + cpu.system) / 1000).toBeLessThan(500);
      },
    );
  });

  describe.skipIf(skip)('only signed bytes decide where an event lands', () => {
    // The ElevenLabs HMAC covers the body only: an unsigned `?callId=` must not move a signed delivery elsewhere.
    async function victimCall() {
      const callId = uid('call_');
      await store().createCall({ callId, orgId: 'org-victim', status: 'in-progress' });
      return callId;
    }

    it('a post-call transcript replayed with ?callId=<another org’s call> lands on its own call only', async () => {
      const victim = await victimCall();
      const own = uid('call_');
      await store().createCall({ callId: own, orgId: 'org-own', status: 'in-progress' });
      const payload = transcriptionWebhook(uid('conv_'), { callSid: uid('CA'), callId: own });
      const res = await send(elevenLabsRequest(payload, { query: `callId=${victim}` }));
      expect(res).toMatchObject({ status: 200, body: { callId: own } });
      expect(await store().getCall(victim)).toMatchObject({ status: 'in-progress', lastSeq: 0 });
      expect(await store().getCall(own)).toMatchObject({ status: 'completed' });
    });

    it.each([
      [
        'a transcript without callrelay_call_id',
        () => transcriptionWebhook(uid('conv_'), { callSid: uid('CA') }),
      ],
      ['a call_initiation_failure', () => initiationFailureWebhook(uid('conv_'), 'busy', uid('CA'))],
    ])('%s replayed with ?callId=<another org’s call> leaves that call alone', async (_case, payload) => {
      const victim = await victimCall();
      const res = await send(elevenLabsRequest(payload(), { query: `callId=${victim}` }));
      expect(res.status).toBe(200);
      expect((res.body as { callId: string }).callId).not.toBe(victim);
      expect(await store().getCall(victim)).toMatchObject({ status: 'in-progress', lastSeq: 0 });
      expect(await store().eventsAfter(victim, 0)).toEqual([]);
    });
  });

  describe.skipIf(skip)('failures and ordering', () => {
    it('answers 503 when a publish fails after the commit; the retry stores nothing new and republishes', async () => {
      const callSid = uid('CA');
      const req = twilioRequest(STATUS, statusParams(callSid, 'ringing', 1));
      await backend.breakBus(true);
      let failed;
      try {
        failed = await send(req);
      } finally {
        await backend.breakBus(false);
      }
      expect(failed).toMatchObject({ status: 503, body: { error: { code: 'bus_unavailable' } } });
      const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
      expect(await store().eventsAfter(call.callId, 0)).toHaveLength(1);
      expect(recorder.events(call.callId)).toEqual([]);

      expect((await send(req)).status).toBe(200);
      expect(await store().eventsAfter(call.callId, 0)).toHaveLength(1);
      await waitFor(() => recorder.events(call.callId).length >= 1, 10_000, 'the republished event');
      expect(recorder.events(call.callId)[0]).toMatchObject({ seq: 1, status: 'ringing' });
    });

    it('delivers each call’s events to a subscriber in seq order after a mixed sequence of webhooks', async () => {
      const calls = [uid('CA'), uid('CA'), uid('CA')];
      const script = (callSid: string, i: number): SignedRequest[] => {
        const conversationId = `conv_${callSid}`;
        return [
          twilioRequest(STATUS, statusParams(callSid, 'initiated', 0)),
          twilioRequest(STATUS, statusParams(callSid, 'ringing', 1)),
          twilioRequest(STATUS, statusParams(callSid, 'in-progress', 2)),
          twilioRequest(TRANSCRIPTION, transcriptionParams(callSid, 1, { text: `driver ${i}` })),
          twilioRequest(
            TRANSCRIPTION,
            transcriptionParams(callSid, 2, { final: false, track: 'outbound_track' }),
          ),
          twilioRequest(
            TRANSCRIPTION,
            transcriptionParams(callSid, 3, { track: 'outbound_track', text: `agent ${i}` }),
          ),
          twilioRequest(TRANSCRIPTION, transcriptionParams(callSid, 1, { text: `driver ${i}` })),
          twilioRequest(STATUS, statusParams(callSid, 'completed', 3, { CallDuration: '30' })),
          twilioRequest(STATUS, statusParams(callSid, 'ringing', 1)),
          elevenLabsRequest(transcriptionWebhook(conversationId, { callSid })),
        ];
      };
      await Promise.all(
        calls.map(async (callSid, i) => {
          for (const req of script(callSid, i)) expect((await send(req)).status).toBe(200);
        }),
      );
      for (const callSid of calls) {
        const call = await store().resolveCall({ callSid }, DEFAULT_ORG);
        const stored = await store().eventsAfter(call.callId, 0);
        expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        await waitFor(
          () => new Set(recorder.events(call.callId).map((e) => e.seq)).size === 7,
          15_000,
          'all events',
        );
        const received = recorder.events(call.callId).map((e) => e.seq);
        // Duplicate deliveries republish an old seq (subscribers drop those); each new seq arrives after all earlier ones.
        expect(received.filter((seq, k) => received.indexOf(seq) === k)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      }
    });
  });
});
