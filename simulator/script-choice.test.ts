// SIMULATOR_SCRIPT=by-number end to end: the dialed number picks the script in both dial modes, attempts counted.
import { afterEach, describe, expect, it } from 'vitest';
import { dialElevenLabs, dialRegister, startHarness, type Harness } from './fixtures.test-kit.ts';
import type { ScriptSelection } from './types.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface PostCall {
  conversation_id: string;
  transcript: { role: string; message: string }[];
  analysis: { data_collection_results: Record<string, { value: unknown }> } | null;
}

function postCalls(harness: Harness): PostCall[] {
  return harness.receiver
    .of('elevenlabs')
    .map((x) => x.json as { type: string; data: PostCall })
    .filter((x) => x.type === 'post_call_transcription')
    .map((x) => x.data);
}

const scriptOf = (harness: Harness, callSid: string) =>
  harness.sim.calls().find((c) => c.callSid === callSid)?.script;

describe('by-number', () => {
  it('register mode: digit 6 rings out on the first call to a number and is acknowledged on the next', async () => {
    h = await startHarness({ sim: { script: 'by-number' } });
    const first = await dialRegister(h, { to: '+15550000016' });
    await h.sim.whenIdle();
    const second = await dialRegister(h, { to: '+15550000016' });
    const other = await dialRegister(h, { to: '+15550000026' });
    await h.sim.whenIdle();
    expect([first, second, other].map((c) => scriptOf(h!, c.sid))).toEqual([
      'no-answer',
      'acknowledged',
      'no-answer',
    ]);
    const finals = h.receiver
      .of('status')
      .filter(
        (x) => x.params.CallbackSource === 'call-progress-events' && x.params.CallDuration !== undefined,
      )
      .map((x) => [x.params.CallSid, x.params.CallStatus]);
    expect(finals).toContainEqual([first.sid, 'no-answer']);
    expect(finals).toContainEqual([second.sid, 'completed']);
  });

  it('elevenlabs mode: 7 opts out, 8 disputes, 3 is busy', async () => {
    h = await startHarness({ sim: { script: 'by-number', transcriptionWaitMs: 0 } });
    const optOut = await dialElevenLabs(h, '+15550000027');
    const disputed = await dialElevenLabs(h, '+15550000038');
    const busy = await dialElevenLabs(h, '+15550000043');
    await h.sim.whenIdle();
    expect([optOut, disputed, busy].map((c) => scriptOf(h!, c.callSid ?? ''))).toEqual([
      'opt-out',
      'disputed',
      'busy',
    ]);
    const byId = new Map(postCalls(h).map((d) => [d.conversation_id, d]));
    const optOutData = byId.get(optOut.conversationId ?? '');
    expect(optOutData?.analysis?.data_collection_results).toMatchObject({
      opt_out: { value: true },
      acknowledged: { value: false },
    });
    expect(optOutData?.transcript.some((t) => t.role === 'user' && /stop calling/i.test(t.message))).toBe(
      true,
    );
    expect(byId.get(disputed.conversationId ?? '')?.analysis?.data_collection_results).toMatchObject({
      opt_out: { value: false },
      acknowledged: { value: false },
      escalation_needed: { value: false },
    });
    const failures = h.receiver
      .of('elevenlabs')
      .map((x) => x.json as { type: string; data: { failure_reason?: string } });
    expect(failures).toContainEqual(
      expect.objectContaining({
        type: 'call_initiation_failure',
        data: expect.objectContaining({ failure_reason: 'busy' }),
      }),
    );
  });

  it('counts attempts across dial modes and from before by-number was chosen', async () => {
    h = await startHarness({ sim: { script: 'acknowledged', transcriptionWaitMs: 0 } });
    const before = await dialRegister(h, { to: '+15550000056' });
    h.sim.setScript('by-number');
    const after = await dialElevenLabs(h, '+15550000056');
    const fresh = await dialElevenLabs(h, '+15550000066');
    await h.sim.whenIdle();
    expect(scriptOf(h, before.sid)).toBe('acknowledged');
    expect(scriptOf(h, after.callSid ?? '')).toBe('acknowledged');
    expect(scriptOf(h, fresh.callSid ?? '')).toBe('no-answer');
  });

  it('refuses an unknown selection', async () => {
    h = await startHarness();
    expect(() => h!.sim.setScript('by-digit' as ScriptSelection)).toThrow(TypeError);
  });
});
