// Injected faults and provider retry behaviour: duplicates, reordering, drops, receiver errors, determinism.
import { afterEach, describe, expect, it } from 'vitest';
import { dialElevenLabs, dialRegister, startHarness, type Harness } from './fixtures.test-kit.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('faults', () => {
  it('duplicateRate 1: every webhook arrives twice, byte-identical params (receivers must dedupe)', async () => {
    h = await startHarness({ sim: { faults: { duplicateRate: 1 } } });
    await dialRegister(h);
    await h.sim.whenIdle();
    const statuses = h.receiver.of('status').map((x) => `${x.params.SequenceNumber}:${x.params.CallStatus}`);
    expect(statuses).toEqual([
      '0:initiated',
      '0:initiated',
      '1:ringing',
      '1:ringing',
      '2:in-progress',
      '2:in-progress',
      '3:completed',
      '3:completed',
    ]);
    const tx = h.receiver.of('transcription');
    const ids = tx.map((x) => x.params.SequenceId);
    expect(new Set(ids).size * 2).toBe(ids.length);
    expect(h.receiver.of('elevenlabs')).toHaveLength(2);
    expect(h.receiver.hooks.every((x) => x.signatureValid)).toBe(true);
    expect(h.sim.deliveries().filter((d) => d.duplicate).length * 2).toBe(
      h.sim.deliveries().filter((d) => d.kind !== 'twilio-voice').length,
    );
  });

  it('reorder: adjacent status callbacks arrive swapped; SequenceNumber tells the truth', async () => {
    h = await startHarness({ sim: { faults: { reorder: true } } });
    await dialRegister(h);
    await h.sim.whenIdle();
    expect(h.receiver.of('status').map((x) => x.params.SequenceNumber)).toEqual(['1', '0', '3', '2']);
    expect(h.receiver.of('status').map((x) => x.params.CallStatus)).toEqual([
      'ringing',
      'initiated',
      'completed',
      'in-progress',
    ]);
  });

  it('dropRate 1: nothing is sent; the conversation is still there to reconcile', async () => {
    h = await startHarness({ sim: { faults: { dropRate: 1 }, transcriptionWaitMs: 0 } });
    const dial = await dialElevenLabs(h);
    await h.sim.whenIdle();
    expect(h.receiver.hooks).toEqual([]);
    expect(h.sim.deliveries()).toEqual([
      expect.objectContaining({
        kind: 'elevenlabs',
        label: 'post_call_transcription',
        outcome: 'dropped',
        attempts: 0,
      }),
    ]);
    const conv = await h.elevenlabs.conversationalAi.conversations.get(dial.conversationId ?? '');
    expect(conv.status).toBe('done');
  });

  it('the same seed drops the same webhooks', async () => {
    const run = async () => {
      const harness = await startHarness({ sim: { faults: { dropRate: 0.5, seed: 42 } } });
      try {
        await dialRegister(harness);
        await harness.sim.whenIdle();
        // Lanes finish in any order; what matters is which webhook was dropped.
        return harness.sim
          .deliveries()
          .map((d) => {
            const p = d.payload as Record<string, string>;
            return `${d.kind}:${d.label}:${p.SequenceNumber ?? p.SequenceId ?? ''}:${d.outcome}`;
          })
          .sort();
      } finally {
        await harness.close();
      }
    };
    const first = await run();
    expect(first.some((d) => d.endsWith('dropped'))).toBe(true);
    expect(first.some((d) => d.endsWith('delivered'))).toBe(true);
    expect(await run()).toEqual(first);
  });
});

describe('webhook retries', () => {
  it('Twilio retries a 503 (up to 3 times) and keeps later callbacks behind it', async () => {
    let failures = 2;
    h = await startHarness({
      receiver: {
        respond: (hook) =>
          hook.kind === 'status' && hook.params.CallStatus === 'ringing' && failures-- > 0 ? 503 : 200,
      },
    });
    await dialRegister(h);
    await h.sim.whenIdle();
    expect(h.receiver.of('status').map((x) => x.params.CallStatus)).toEqual([
      'initiated',
      'ringing',
      'ringing',
      'ringing',
      'in-progress',
      'completed',
    ]);
    expect(h.sim.deliveries().find((d) => d.label === 'ringing')).toMatchObject({
      attempts: 3,
      outcome: 'delivered',
      status: 200,
    });
  });

  it('Twilio gives up after 3 retries and does not retry a 400', async () => {
    h = await startHarness({
      receiver: {
        respond: (hook) =>
          hook.params.CallStatus === 'ringing' ? 500 : hook.params.CallStatus === 'initiated' ? 400 : 200,
      },
    });
    await dialRegister(h);
    await h.sim.whenIdle();
    const byLabel = (label: string) =>
      h?.sim.deliveries().find((d) => d.kind === 'twilio-status' && d.label === label);
    expect(byLabel('ringing')).toMatchObject({ attempts: 4, outcome: 'failed', status: 500 });
    expect(byLabel('initiated')).toMatchObject({ attempts: 1, outcome: 'failed', status: 400 });
  });

  it('ElevenLabs retries post_call_transcription on 5xx/429 (5 attempts), each attempt freshly signed', async () => {
    let failures = 3;
    h = await startHarness({
      receiver: {
        respond: (hook) =>
          hook.kind === 'elevenlabs' && failures-- > 0 ? (failures === 1 ? 429 : 502) : 200,
      },
    });
    await dialRegister(h);
    await h.sim.whenIdle();
    const hooks = h.receiver.of('elevenlabs');
    expect(hooks).toHaveLength(4);
    expect(hooks.every((x) => x.signatureValid)).toBe(true);
    expect(h.sim.deliveries().find((d) => d.kind === 'elevenlabs')).toMatchObject({
      attempts: 4,
      outcome: 'delivered',
    });
  });
});

describe('pace', () => {
  it('speed scales script time: a 45 s call at speed 100 takes roughly 0.45 s', async () => {
    h = await startHarness({ sim: { speed: 100 } });
    const started = performance.now();
    await dialRegister(h);
    await h.sim.whenIdle();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(400);
    expect(elapsed).toBeLessThan(2_000);
    const hooks = h.receiver.of('status');
    expect(hooks.map((x) => x.params.CallStatus)).toEqual([
      'initiated',
      'ringing',
      'in-progress',
      'completed',
    ]);
    // Answer (4 s script) lands ~40 ms after dial.
    expect((hooks[2]?.atMs ?? 0) - (hooks[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(30);
  });

  it('speed 0 plays ten concurrent calls in well under a second each', async () => {
    h = await startHarness();
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => dialRegister(h as Harness)));
    await h.sim.whenIdle();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(h.receiver.of('elevenlabs')).toHaveLength(10);
    expect(h.sim.calls().every((c) => c.status === 'completed' && c.conversationStatus === 'done')).toBe(
      true,
    );
  });

  it('close() cancels a call in the middle and leaves no timers behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    h = await startHarness({ sim: { speed: 1 } });
    await dialRegister(h);
    expect(h.sim.calls()[0]?.status).toBe('queued');
    await h.close();
    h = undefined;
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
