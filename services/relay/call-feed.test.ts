// CallFeed in isolation: live events racing a backlog read, gap fill, duplicates, and losing the store.
import { describe, expect, it } from 'vitest';
import { MemoryCallStore } from '../../core/adapters/memory/memory-call-store.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import { CallFeed, type FeedSubscriber } from './call-feed.ts';
import { createLogger } from '../../core/support/log.ts';
import { range } from './relay.test-kit.ts';

const silent = createLogger({ sink: () => {} });

class Recorder implements FeedSubscriber {
  frames: Array<{ type: string; seq?: number }> = [];
  failed = false;
  send(frame: string | Buffer): void {
    this.frames.push(JSON.parse(frame.toString()) as { type: string; seq?: number });
  }
  async ready(): Promise<boolean> {
    return true;
  }
  fail(): void {
    this.failed = true;
  }
  seqs(): number[] {
    return this.frames.flatMap((f) => (f.seq === undefined ? [] : [f.seq]));
  }
}

async function callWith(store: MemoryCallStore, callId: string, count: number): Promise<CallEvent[]> {
  await store.createCall({ callId, orgId: 'org-a' });
  const events: CallEvent[] = [];
  for (let i = 0; i < count; i++) {
    const r = await store.append(callId, {
      dedupeKey: `k${i}`,
      body: { kind: 'segment', speaker: 'driver', text: `t${i}`, source: 'twilio_realtime' },
    });
    if (r.outcome === 'appended') events.push(r.event);
  }
  return events;
}

const deps = (store: CallStore) => ({
  store,
  logger: silent,
  ringSize: 3,
  backlogPageSize: 2,
  retryDelaysMs: [1, 1],
});

describe('CallFeed', () => {
  it('delivers backlog then live events exactly once when live events arrive during the backlog read', async () => {
    const store = new MemoryCallStore();
    const events = await callWith(store, 'c', 6);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: CallStore = Object.assign(Object.create(store) as CallStore, {
      getCall: async (id: string) => {
        const call = await store.getCall(id);
        await gate;
        return call;
      },
    });
    const feed = new CallFeed('c', deps(slow));
    const sub = new Recorder();
    const subscribing = feed.subscribe(sub, 'org-a');
    // Seqs 4..6 reach the bus (twice, out of order) while the snapshot read is blocked.
    for (const seq of [4, 5, 4, 6, 6]) feed.onEvent(events[seq - 1]!);
    release();
    expect(await subscribing).toBe('subscribed');
    await feed.idle();
    expect(sub.frames[0]).toMatchObject({ type: 'subscribed' });
    expect(sub.seqs()).toEqual(range(1, 6));
  });

  it('fills a gap from the store and drops duplicates, counting both', async () => {
    const store = new MemoryCallStore();
    await callWith(store, 'c', 0);
    const feed = new CallFeed('c', deps(store));
    const sub = new Recorder();
    await feed.subscribe(sub, 'org-a');
    const events: CallEvent[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await store.append('c', {
        dedupeKey: `n${i}`,
        body: { kind: 'segment', speaker: 'agent', text: 'x', source: 'twilio_realtime' },
      });
      if (r.outcome === 'appended') events.push(r.event);
    }
    for (const seq of [1, 2, 6, 2, 7, 7]) feed.onEvent(events[seq - 1]!);
    await feed.idle();
    expect(sub.seqs()).toEqual(range(1, 7));
    expect(feed.stats).toMatchObject({ gapsFilled: 1, duplicatesDropped: 2 });
  });

  it('forwards each partial once: a replayed or late one of the same stream is dropped, other streams are not', async () => {
    const store = new MemoryCallStore();
    await callWith(store, 'c', 0);
    const feed = new CallFeed('c', deps(store));
    const sub = new Recorder();
    await feed.subscribe(sub, 'org-a');
    const partial = (text: string) => ({
      kind: 'partial' as const,
      callId: 'c',
      speaker: 'driver' as const,
      text,
    });
    const sent: [string, string, number | undefined][] = [
      ['a5', 'GT1:driver', 5],
      ['a5 replayed', 'GT1:driver', 5],
      ['a4 late', 'GT1:driver', 4],
      ['b4 other track', 'GT1:agent', 4],
      ['a6', 'GT1:driver', 6],
      ['no position', 'GT1:driver', undefined],
    ];
    for (const [text, stream, at] of sent) {
      feed.onPartial(partial(text), 'org-a', at === undefined ? undefined : { stream, at });
    }
    await feed.idle();
    expect(sub.frames.filter((f) => f.type === 'partial').map((f) => (f as { text?: string }).text)).toEqual([
      'a5',
      'b4 other track',
      'a6',
      'no position',
    ]);
  });

  it('answers forbidden for another org and for a missing call alike, sending nothing', async () => {
    const store = new MemoryCallStore();
    await callWith(store, 'c', 2);
    const other = new Recorder();
    expect(await new CallFeed('c', deps(store)).subscribe(other, 'org-b')).toBe('forbidden');
    expect(await new CallFeed('missing', deps(store)).subscribe(other, 'org-b')).toBe('forbidden');
    expect(other.frames).toEqual([]);
  });

  it('drops its subscribers (so clients resume) when the store stays down through a gap fill', async () => {
    const store = new MemoryCallStore();
    const events = await callWith(store, 'c', 3);
    let down = false;
    const flaky: CallStore = Object.assign(Object.create(store) as CallStore, {
      eventsAfter: async (...args: Parameters<CallStore['eventsAfter']>) => {
        if (down) throw new Error('store unavailable');
        return store.eventsAfter(...args);
      },
      getCall: async (id: string) => ({ ...(await store.getCall(id))!, lastSeq: 1 }),
    });
    let resets = 0;
    const feed = new CallFeed('c', deps(flaky), () => resets++);
    const sub = new Recorder();
    await feed.subscribe(sub, 'org-a', 1);
    down = true;
    feed.onEvent(events[2]!);
    await feed.idle();
    expect(sub.failed).toBe(true);
    expect(resets).toBe(1);
    expect(feed.subscriberCount).toBe(0);
    expect(sub.seqs()).toEqual([]);
  });

  it('a backlog replay cut short by the store leaves no partial ring: the next resume still gets every event', async () => {
    const store = new MemoryCallStore();
    await callWith(store, 'c', 5);
    let reads = 0;
    const failSecondPage: CallStore = Object.assign(Object.create(store) as CallStore, {
      eventsAfter: async (...args: Parameters<CallStore['eventsAfter']>) => {
        if (++reads === 3) throw new Error('store unavailable');
        return store.eventsAfter(...args);
      },
    });
    // ringSize 3, pages of 2: the first replay reads 1..2 and 3..4 (the ring's tail), then fails reading 5.
    const feed = new CallFeed('c', deps(failSecondPage));
    await expect(feed.subscribe(new Recorder(), 'org-a')).rejects.toThrow('store unavailable');
    const sub = new Recorder();
    expect(await feed.subscribe(sub, 'org-a', 2)).toBe('subscribed');
    expect(sub.seqs()).toEqual(range(3, 5));
  });

  it("delivers live events to others while one subscriber's backlog waits for it, then catches that one up", async () => {
    const store = new MemoryCallStore();
    const events = await callWith(store, 'c', 6);
    const feed = new CallFeed('c', deps(store));
    const healthy = new Recorder();
    await feed.subscribe(healthy, 'org-a', 4);
    let drain!: () => void;
    const drained = new Promise<void>((r) => (drain = r));
    const stalled = new (class extends Recorder {
      paused = true;
      override async ready(): Promise<boolean> {
        if (this.paused) await drained;
        return true;
      }
    })();
    const replaying = feed.subscribe(stalled, 'org-a');
    await feed.idle(); // the stalled subscriber joined; its replay now waits on `ready`
    const { event } = (await store.append('c', {
      dedupeKey: 'live',
      body: { kind: 'segment', speaker: 'driver', text: 'live', source: 'twilio_realtime' },
    })) as { event: CallEvent };
    feed.onEvent(event);
    await feed.idle();
    expect(healthy.seqs()).toEqual([5, 6, 7]);
    expect(stalled.seqs()).toEqual([]);
    stalled.paused = false;
    drain();
    expect(await replaying).toBe('subscribed');
    expect(stalled.seqs()).toEqual(range(1, 7));
    expect(events).toHaveLength(6);
  });
});
