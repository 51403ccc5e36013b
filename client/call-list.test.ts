// CallList without a socket: which subscribe_calls it sends, and how utterances reach listeners.
import { describe, expect, it } from 'vitest';
import { newCallRecord, type Call } from '../core/domain/call.ts';
import type { ClientMessage, LiveUtterance } from '../core/protocol/relay-messages.ts';
import { CallList, type CallListHandlers } from './call-list.ts';

const call = (callId: string): Call => newCallRecord({ callId, orgId: 'o1' }, '2026-01-01T00:00:00.000Z');
const words = (callId: string, text: string): LiveUtterance => ({
  callId,
  speaker: 'driver',
  text,
  final: false,
});

function recorder(): CallListHandlers & { seen: LiveUtterance[][] } {
  const seen: LiveUtterance[][] = [];
  return { seen, onCalls: () => {}, onCallUpdated: () => {}, onUtterances: (u) => seen.push(u) };
}

describe('CallList utterances', () => {
  it('asks for utterances when a listener wants them, and upgrades a plain subscription once', () => {
    const sent: ClientMessage[] = [];
    const list = new CallList(
      (m) => sent.push(m),
      () => 0,
    );
    list.add({ onCalls: () => {}, onCallUpdated: () => {} });
    expect(sent).toEqual([{ type: 'subscribe_calls' }]);
    list.add(recorder());
    list.add(recorder());
    expect(sent).toEqual([{ type: 'subscribe_calls' }, { type: 'subscribe_calls', utterances: true }]);
    list.resubscribe();
    expect(sent.at(-1)).toEqual({ type: 'subscribe_calls', utterances: true });
  });

  it('delivers utterances of listed calls, and the latest ones to a listener added later', () => {
    const list = new CallList(
      () => {},
      () => 0,
    );
    const first = recorder();
    list.add(first);
    list.onCalls({ type: 'calls', calls: [call('a')] });
    list.onUtterances({ type: 'utterances', utterances: [words('a', 'hi'), words('zz', 'unknown call')] });
    list.onUtterances({ type: 'utterances', utterances: [words('a', 'hi there')] });
    expect(first.seen).toEqual([[words('a', 'hi')], [words('a', 'hi there')]]);
    const later = recorder();
    list.add(later);
    expect(later.seen).toEqual([[words('a', 'hi there')]]);
    // A snapshot without the call forgets its words.
    list.onCalls({ type: 'calls', calls: [] });
    const last = recorder();
    list.add(last);
    expect(last.seen).toEqual([]);
  });
});
