import { describe, expect, it } from 'vitest';
import { MemoryCallStore } from '../adapters/memory/memory-call-store.ts';
import { MemoryEventBus } from '../adapters/memory/memory-event-bus.ts';
import { createLogger } from '../support/log.ts';
import type { Telephony, TranscriptionStart } from '../ports/telephony.ts';
import { TranscriptionStarter } from './transcription-starter.ts';

function setup(answers: TranscriptionStart[]) {
  const store = new MemoryCallStore();
  const sleeps: number[] = [];
  const telephony: Telephony = {
    placeCall: () => Promise.reject(new Error('unused')),
    findCalls: () => Promise.reject(new Error('unused')),
    redirectToPhone: () => Promise.reject(new Error('unused')),
    endCall: () => Promise.reject(new Error('unused')),
    startTranscription: async () => answers.shift() ?? 'not_in_progress',
  };
  const starter = new TranscriptionStarter({
    telephony,
    store,
    bus: new MemoryEventBus(),
    logger: createLogger({ sink: () => {} }),
    policy: { initialDelayMs: 100, maxDelayMs: 400, maxTotalMs: 1000 },
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { store, starter, sleeps };
}

describe('TranscriptionStarter', () => {
  it('retries "not in progress" with capped backoff, then records in-progress once started', async () => {
    const { store, starter, sleeps } = setup([
      'not_in_progress',
      'not_in_progress',
      'not_in_progress',
      'started',
    ]);
    await store.createCall({ callId: 'c1', orgId: 'o' });
    starter.start('c1', 'CA1');
    await starter.idle();
    expect(sleeps).toEqual([100, 200, 400]);
    expect(await store.eventsAfter('c1', 0)).toMatchObject([
      { kind: 'call_status', status: 'in-progress', source: 'twilio' },
    ]);
  });

  it('gives up after maxTotalMs', async () => {
    const { store, starter, sleeps } = setup([]);
    await store.createCall({ callId: 'c1', orgId: 'o' });
    starter.start('c1', 'CA1');
    await starter.idle();
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1000);
    expect(await store.eventsAfter('c1', 0)).toEqual([]);
  });

  it('stops once the call has ended', async () => {
    const { store, starter, sleeps } = setup([]);
    await store.createCall({ callId: 'c1', orgId: 'o' });
    await store.append('c1', {
      dedupeKey: 'k',
      body: { kind: 'call_status', status: 'no-answer', source: 'elevenlabs' },
    });
    starter.start('c1', 'CA1');
    await starter.idle();
    expect(sleeps).toEqual([100]);
  });
});
