// OrgUtterances with fake listeners and fake timers: coalescing per call, pacing, backpressure, dedupe, bounds.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallEvent, PartialSegment } from '../../core/domain/call-event.ts';
import type { UtterancesMessage } from '../../core/protocol/relay-messages.ts';
import { OrgUtterances, type UtteranceListener } from './utterance-stream.ts';

const INTERVAL = 250;

class FakeListener implements UtteranceListener {
  frames: UtterancesMessage[] = [];
  busy = false;
  send(frame: string): void {
    this.frames.push(JSON.parse(frame) as UtterancesMessage);
  }
  canSend(): boolean {
    return !this.busy;
  }
  texts(): string[][] {
    return this.frames.map((f) => f.utterances.map((u) => `${u.callId}:${u.text}`));
  }
}

const partial = (callId: string, text: string): PartialSegment => ({
  kind: 'partial',
  callId,
  speaker: 'driver',
  text,
});
const segment = (callId: string, seq: number, text: string): CallEvent => ({
  kind: 'segment',
  callId,
  seq,
  text,
  speaker: 'agent',
  source: 'twilio_realtime',
  dedupeKey: `k${seq}`,
  recordedAt: new Date().toISOString(),
});

/** A durable status event: how the stream learns that a call is the org's. */
const statusEvent = (callId: string): CallEvent => ({
  kind: 'call_status',
  status: 'in-progress',
  source: 'twilio',
  callId,
  seq: 1,
  dedupeKey: 's1',
  recordedAt: new Date().toISOString(),
});

describe('OrgUtterances', () => {
  let stream: OrgUtterances;
  const admit = (...callIds: string[]) => callIds.forEach((id) => stream.onEvent(statusEvent(id)));
  beforeEach(() => {
    vi.useFakeTimers();
    stream = new OrgUtterances({ intervalMs: INTERVAL, maxCalls: 3, now: () => Date.now() });
    admit('a', 'b');
  });
  afterEach(() => {
    stream.close();
    vi.useRealTimers();
  });

  it('sends nothing before start, then one frame per interval with the latest words of each call', () => {
    const l = new FakeListener();
    stream.add(l);
    stream.onPartial(partial('a', 'he'), undefined);
    vi.advanceTimersByTime(1000);
    expect(l.frames).toEqual([]);
    stream.start(l, ['a']);
    vi.advanceTimersByTime(0);
    expect(l.texts()).toEqual([['a:he']]);
    for (const text of ['hel', 'hell', 'hello']) stream.onPartial(partial('a', text), undefined);
    stream.onPartial(partial('b', 'yes'), undefined);
    vi.advanceTimersByTime(INTERVAL - 1);
    expect(l.frames).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(l.texts()).toEqual([['a:he'], ['a:hello', 'b:yes']]);
    stream.onEvent(segment('a', 4, 'hello there'));
    vi.advanceTimersByTime(INTERVAL);
    expect(l.frames[2]!.utterances).toEqual([
      { callId: 'a', speaker: 'agent', text: 'hello there', final: true, seq: 4 },
    ]);
    vi.advanceTimersByTime(10 * INTERVAL);
    expect(l.frames).toHaveLength(3);
  });

  it('gives a socket that starts later the latest known words of its snapshot calls only', () => {
    stream.onPartial(partial('a', 'one'), undefined);
    const early = new FakeListener();
    stream.add(early);
    stream.start(early, []);
    stream.onPartial(partial('a', 'two'), undefined);
    stream.onPartial(partial('b', 'bee'), undefined);
    const late = new FakeListener();
    stream.add(late);
    stream.start(late, ['a']);
    vi.advanceTimersByTime(0);
    expect(late.texts()).toEqual([['a:two']]);
    expect(early.texts()).toEqual([['a:two', 'b:bee']]);
  });

  it('holds frames while the socket is congested, coalescing; sends the latest once it drains', () => {
    const l = new FakeListener();
    stream.add(l);
    stream.start(l, []);
    l.busy = true;
    for (let i = 0; i < 100; i++) stream.onPartial(partial('a', `w${i}`), undefined);
    vi.advanceTimersByTime(20 * INTERVAL);
    expect(l.frames).toEqual([]);
    l.busy = false;
    vi.advanceTimersByTime(INTERVAL);
    expect(l.texts()).toEqual([['a:w99']]);
  });

  it('drops replayed partials and redelivered segments', () => {
    const l = new FakeListener();
    stream.add(l);
    stream.start(l, []);
    stream.onEvent(segment('a', 2, 'second'));
    stream.onPartial(partial('a', 'p5'), { stream: 's:driver', at: 5 });
    vi.advanceTimersByTime(INTERVAL);
    stream.onEvent(segment('a', 2, 'second'));
    stream.onEvent(segment('a', 1, 'first'));
    stream.onPartial(partial('a', 'p4'), { stream: 's:driver', at: 4 });
    stream.onPartial(partial('a', 'p5'), { stream: 's:driver', at: 5 });
    vi.advanceTimersByTime(5 * INTERVAL);
    expect(l.texts()).toEqual([['a:p5']]);
  });

  it('keeps at most maxCalls calls, least recently spoken out first', () => {
    const l = new FakeListener();
    stream.add(l);
    stream.start(l, []);
    l.busy = true;
    for (const c of ['a', 'b', 'c', 'd']) {
      admit(c);
      stream.onPartial(partial(c, c), undefined);
    }
    l.busy = false;
    vi.advanceTimersByTime(INTERVAL);
    expect(l.texts()).toEqual([['b:b', 'c:c', 'd:d']]);
    const late = new FakeListener();
    stream.add(late);
    stream.start(late, ['a', 'b', 'c', 'd']);
    vi.advanceTimersByTime(INTERVAL);
    expect(late.texts()).toEqual([['b:b', 'c:c', 'd:d']]);
  });

  it("shows partials only of calls it knows as the org's (from a snapshot or a durable event)", () => {
    const l = new FakeListener();
    stream.add(l);
    stream.start(l, ['s']);
    stream.onPartial(partial('x', 'tagged with this org by the bus only'), undefined);
    stream.onPartial(partial('s', 'from the snapshot'), undefined);
    vi.advanceTimersByTime(INTERVAL);
    admit('x');
    stream.onPartial(partial('x', 'after its event'), undefined);
    vi.advanceTimersByTime(INTERVAL);
    expect(l.texts()).toEqual([['s:from the snapshot'], ['x:after its event']]);
  });

  it('stops a removed socket at once', () => {
    const l = new FakeListener();
    stream.add(l);
    stream.start(l, []);
    stream.onPartial(partial('a', 'x'), undefined);
    stream.remove(l);
    vi.advanceTimersByTime(INTERVAL);
    expect(l.frames).toEqual([]);
    expect(stream.listenerCount).toBe(0);
  });
});
