// Scripted calls end to end in register mode: the twilio SDK dials, a receiver plays callrelay's webhooks.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DRIVER,
  DYNAMIC_VARIABLES,
  dialElevenLabs,
  dialRegister,
  startHarness,
  type Harness,
} from './fixtures.test-kit.ts';
import type { ReceivedHook } from './webhook-receiver.test-kit.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The `data` of the (only) ElevenLabs webhook received. */
function postCallData<T>(harness: Harness): T {
  return (harness.receiver.of('elevenlabs')[0]?.json as { data: T }).data;
}

const transcriptOf = (hook: ReceivedHook) =>
  JSON.parse(hook.params.TranscriptionData ?? '{}') as Record<string, unknown>;

describe('register mode, acknowledged script at speed 0', () => {
  it('plays signed status callbacks, live transcription and the post-call webhook, in order', async () => {
    h = await startHarness();
    const started = performance.now();
    const call = await dialRegister(h);
    await h.sim.whenIdle();
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(1_000);

    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.status).toBe('queued');
    expect(h.receiver.hooks.every((x) => x.signatureValid)).toBe(true);

    const statuses = h.receiver.of('status').map((x) => x.params);
    expect(statuses.map((p) => p.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(statuses.map((p) => p.SequenceNumber)).toEqual(['0', '1', '2', '3']);
    for (const p of statuses) {
      expect(p.CallSid).toBe(call.sid);
      expect(p.CallbackSource).toBe('call-progress-events');
      expect(p.Timestamp).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
      expect(p.Direction).toBe('outbound-api');
    }
    expect(Number(statuses[3]?.CallDuration)).toBeGreaterThan(30);

    const voice = h.receiver.of('voice');
    expect(voice).toHaveLength(1);
    expect(voice[0]?.params).toMatchObject({ CallSid: call.sid, CallStatus: 'in-progress', To: DRIVER });

    const tx = h.receiver.of('transcription').map((x) => x.params);
    expect(tx[0]).toMatchObject({
      TranscriptionEvent: 'transcription-started',
      Name: 'live',
      Track: 'both_tracks',
      InboundTrackLabel: 'driver',
      OutboundTrackLabel: 'agent',
      PartialResults: 'false',
    });
    expect(tx.at(-1)?.TranscriptionEvent).toBe('transcription-stopped');
    const ids = tx.map((p) => Number(p.SequenceId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const content = h.receiver
      .of('transcription')
      .filter((x) => x.params.TranscriptionEvent === 'transcription-content');
    expect(content.every((x) => x.params.Final === 'true' && x.params.Stability === undefined)).toBe(true);
    const agent = content
      .filter((x) => x.params.Track === 'outbound_track')
      .map((x) => String(transcriptOf(x).transcript));
    const driver = content
      .filter((x) => x.params.Track === 'inbound_track')
      .map((x) => String(transcriptOf(x).transcript));
    expect(agent[0]).toContain('Hi Sam');
    expect(agent[1]).toContain('Temperature is at 45 degrees but needs to be 38 degrees');
    expect(driver.some((t) => t.includes('3:30'))).toBe(true);
    for (const x of content) expect(transcriptOf(x).confidence).toEqual(expect.any(Number));

    // The post-call webhook is last and carries what GET conversation returns.
    const post = h.receiver.of('elevenlabs');
    expect(post).toHaveLength(1);
    const envelope = post[0]?.json as {
      type: string;
      event_timestamp: number;
      data: Record<string, unknown>;
    };
    expect(envelope.type).toBe('post_call_transcription');
    expect(envelope.event_timestamp).toEqual(expect.any(Number));
    const data = envelope.data as {
      conversation_id: string;
      status: string;
      transcript: { role: string; message: string }[];
      metadata: { phone_call: Record<string, unknown>; call_duration_secs: number };
      analysis: {
        call_successful: string;
        transcript_summary: string;
        data_collection_results: Record<string, { value: unknown }>;
      };
      conversation_initiation_client_data: { dynamic_variables: Record<string, unknown> };
    };
    expect(data.status).toBe('done');
    expect(data.metadata.phone_call).toMatchObject({
      type: 'twilio',
      call_sid: call.sid,
      call_result: 'answered',
    });
    expect(data.analysis.call_successful).toBe('success');
    expect(data.analysis.data_collection_results.acknowledged?.value).toBe(true);
    expect(data.analysis.data_collection_results.eta?.value).toBe('3:30 PM');
    expect(data.analysis.transcript_summary).toContain('Sam');
    expect(data.conversation_initiation_client_data.dynamic_variables).toMatchObject(DYNAMIC_VARIABLES);
    expect(data.transcript.map((t) => t.role)).toEqual(
      content.map((x) => (x.params.Track === 'inbound_track' ? 'user' : 'agent')),
    );

    const fetched = await h.elevenlabs.conversationalAi.conversations.get(data.conversation_id);
    expect(fetched.status).toBe('done');
    expect(fetched.metadata.phoneCall).toMatchObject({ type: 'twilio', callSid: call.sid });
    expect(fetched.analysis?.dataCollectionResults?.acknowledged?.value).toBe(true);
    expect(h.sim.calls()).toEqual([
      expect.objectContaining({
        callSid: call.sid,
        status: 'completed',
        conversationId: data.conversation_id,
        conversationStatus: 'done',
      }),
    ]);
  });

  it('sends partial results (Final=false with Stability) before each final when partialResults=true', async () => {
    h = await startHarness({ transcription: { partialResults: true } });
    await dialRegister(h);
    await h.sim.whenIdle();
    const content = h.receiver
      .of('transcription')
      .filter((x) => x.params.TranscriptionEvent === 'transcription-content');
    expect(content.some((x) => x.params.Final === 'false')).toBe(true);
    for (const track of ['inbound_track', 'outbound_track']) {
      let pending: string[] = [];
      for (const x of content.filter((c) => c.params.Track === track)) {
        const text = String(transcriptOf(x).transcript);
        if (x.params.Final === 'false') {
          expect(Number(x.params.Stability)).toBeGreaterThan(0);
          expect(transcriptOf(x).confidence).toBeUndefined();
          pending.push(text);
        } else {
          for (const partial of pending) expect(text.startsWith(partial)).toBe(true);
          pending = [];
        }
      }
      expect(pending).toEqual([]);
    }
  });

  it('sends only the driver track when track=inbound_track', async () => {
    h = await startHarness({ transcription: { track: 'inbound_track' } });
    await dialRegister(h);
    await h.sim.whenIdle();
    const content = h.receiver
      .of('transcription')
      .filter((x) => x.params.TranscriptionEvent === 'transcription-content');
    expect(content.length).toBeGreaterThan(0);
    expect(new Set(content.map((x) => x.params.Track))).toEqual(new Set(['inbound_track']));
  });
});

describe.each([
  { script: 'no-answer' as const, statuses: ['initiated', 'ringing', 'no-answer'], reason: 'no-answer' },
  { script: 'busy' as const, statuses: ['initiated', 'busy'], reason: 'busy' },
])('$script', ({ script, statuses, reason }) => {
  it('register mode: statuses only; no voice webhook, transcription or ElevenLabs webhook', async () => {
    h = await startHarness({ sim: { script } });
    await dialRegister(h);
    await h.sim.whenIdle();
    const got = h.receiver.of('status').map((x) => x.params);
    expect(got.map((p) => p.CallStatus)).toEqual(statuses);
    expect(got.at(-1)).toMatchObject({ CallDuration: '0' });
    expect(h.receiver.of('voice')).toHaveLength(0);
    expect(h.receiver.of('transcription')).toHaveLength(0);
    expect(h.receiver.of('elevenlabs')).toHaveLength(0);
  });

  it('elevenlabs mode: call_initiation_failure with the Twilio status body; conversation failed', async () => {
    h = await startHarness({ sim: { script } });
    const dial = await dialElevenLabs(h);
    await h.sim.whenIdle();
    expect(h.receiver.of('status')).toHaveLength(0);
    const hooks = h.receiver.of('elevenlabs');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.signatureValid).toBe(true);
    expect(hooks[0]?.json).toMatchObject({
      type: 'call_initiation_failure',
      data: {
        conversation_id: dial.conversationId,
        failure_reason: reason,
        metadata: { type: 'twilio', body: { CallSid: dial.callSid, CallStatus: statuses.at(-1) } },
      },
    });
    const conv = await h.elevenlabs.conversationalAi.conversations.get(dial.conversationId ?? '');
    expect(conv.status).toBe('failed');
  });
});

describe('voicemail', () => {
  it('is answered by a machine; the agent leaves a message; call_result voicemail', async () => {
    h = await startHarness({ sim: { script: 'voicemail' } });
    await dialRegister(h, { machineDetection: 'DetectMessageEnd' });
    await h.sim.whenIdle();
    expect(h.receiver.of('voice')[0]?.params.AnsweredBy).toBe('machine_end_beep');
    const data = postCallData<{
      transcript: { role: string; message: string }[];
      metadata: { phone_call: { call_result: string } };
      analysis: { call_successful: string; data_collection_results: Record<string, { value: unknown }> };
    }>(h);
    expect(data.metadata.phone_call.call_result).toBe('voicemail');
    expect(data.transcript[0]).toMatchObject({ role: 'user' });
    expect(data.transcript[0]?.message).toContain('leave a message');
    expect(data.transcript[1]?.message).toContain('Hi Sam');
    expect(data.analysis.call_successful).toBe('failure');
    expect(data.analysis.data_collection_results.acknowledged?.value).toBeNull();
  });
});

describe('cut-short', () => {
  it('drops mid-sentence: the last driver line is truncated and marked interrupted', async () => {
    h = await startHarness({ sim: { script: 'cut-short' } });
    await dialRegister(h);
    await h.sim.whenIdle();
    const finals = h.receiver
      .of('transcription')
      .filter(
        (x) => x.params.TranscriptionEvent === 'transcription-content' && x.params.Track === 'inbound_track',
      );
    const last = String(transcriptOf(finals.at(-1) as ReceivedHook).transcript);
    expect(last).toBe('Okay, about the reefer, I think');
    const data = postCallData<{
      transcript: { role: string; message: string; interrupted: boolean }[];
      metadata: { termination_reason: string };
      analysis: { data_collection_results: Record<string, { value: unknown }> };
    }>(h);
    expect(data.transcript.at(-1)).toMatchObject({ role: 'user', message: last, interrupted: true });
    expect(data.metadata.termination_reason).toBe('Call ended by remote party');
    expect(data.analysis.data_collection_results.acknowledged?.value).toBeNull();
    expect(h.receiver.of('status').at(-1)?.params.CallStatus).toBe('completed');
  });
});
