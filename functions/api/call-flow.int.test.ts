// A triggered call in each dial mode ends with the full durable event stream, through the real SDKs and simulator.
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { BusMessage } from '../../core/ports/event-bus.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { ORG, startApiStack, triggerBody, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());

describe.each(backends)('call flow on %s', (backend) => {
  let stack: ApiStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function eventsOf(s: ApiStack, token: string, callId: string): Promise<CallEvent[]> {
    const res = await s.request('GET', `/calls/${callId}/events?limit=500`, { token });
    expect(res.status).toBe(200);
    return (res.body as { events: CallEvent[] }).events;
  }

  it.each(['register', 'elevenlabs'] as const)(
    '%s mode: statuses, live segments, post-call transcript',
    async (mode) => {
      // Paced (the 41 s script in ~4 s) so callbacks arrive in order as from real providers, also when the Firestore
      // emulator is slow to resolve the dial's and the first status callback's concurrent transactions.
      stack = await startApiStack({ backend, env: { DIAL_MODE: mode }, simulator: { speed: 10 } });
      const token = await stack.login();
      const live: BusMessage[] = [];
      const sub = await stack.backend.bus.subscribe('test-board', (m) => void live.push(m));
      const created = await stack.request('POST', '/driver_data/call-elevenlabs', {
        token,
        body: triggerBody(),
      });
      expect(created.status).toBe(201);
      const body = created.body as {
        callId: string;
        callSid: string;
        conversationId: string | null;
        status: string;
      };
      expect(body.callSid).toMatch(/^CA/);
      if (mode === 'elevenlabs') expect(body.conversationId).toBeTruthy();
      await stack.settle();

      const events = await eventsOf(stack, token, body.callId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const statuses = events.flatMap((e) => (e.kind === 'call_status' ? [e.status] : []));
      expect(statuses[0]).toBe('queued');
      expect(statuses).toContain('in-progress');
      expect(statuses.at(-1)).toBe('completed');
      if (mode === 'register')
        expect(statuses).toEqual(['queued', 'initiated', 'ringing', 'in-progress', 'completed']);
      const segments = events.filter((e) => e.kind === 'segment');
      expect(segments.some((s) => s.speaker === 'driver')).toBe(true);
      expect(segments.some((s) => s.speaker === 'agent')).toBe(true);
      const transcript = events.find((e) => e.kind === 'transcript');
      expect(transcript).toMatchObject({ source: 'elevenlabs_webhook', conversationStatus: 'done' });
      if (transcript?.kind !== 'transcript') throw new Error('no transcript');
      expect(transcript.summary).toContain('Sam Carter');
      expect(transcript.dataCollection.acknowledged?.value).toBe(true);
      expect(transcript.turns.length).toBeGreaterThan(3);

      // The live board saw the durable `queued` first, with the call snapshot (no phone number).
      await expect
        .poll(() => live.filter((m) => m.type === 'event' && m.event.callId === body.callId).length)
        .toBeGreaterThanOrEqual(events.length);
      await sub.close();
      const first = live.find((m) => m.type === 'event' && m.event.callId === body.callId);
      expect(first).toMatchObject({
        event: { seq: 1, kind: 'call_status', status: 'queued', source: 'api' },
        call: { orgId: ORG },
      });
      expect(JSON.stringify(live)).not.toContain('+15551234567');

      const call = (await stack.request('GET', `/calls/${body.callId}`, { token })).body as Call;
      expect(call).toMatchObject({ orgId: ORG, status: 'completed', callSid: body.callSid });
      expect(call.conversationId).toBeTruthy();
      expect(call.outcome?.dataCollection).toMatchObject({ acknowledged: true, eta: '3:30 PM' });
      expect(JSON.stringify(call)).not.toContain('+1555');
      expect(stack.logs.join('\n')).not.toContain('+15551234567');
    },
  );
});
