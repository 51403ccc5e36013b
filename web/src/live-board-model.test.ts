// LiveBoardModel: newer-only updates, words of known calls, attention counts, and what a paint has to touch.
import { describe, expect, it } from 'vitest';
import { newCallRecord, type Call, type CallStatus } from '../../core/domain/call.ts';
import type { LiveUtterance } from '../../core/protocol/relay-messages.ts';
import { LiveBoardModel } from './live-board-model.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 15, 12, 0, s)).toISOString();
function call(id: string, s: number, lastSeq = 1, status: CallStatus = 'in-progress', data?: object): Call {
  return {
    ...newCallRecord({ callId: id, orgId: 'o1' }, at(s)),
    status,
    lastSeq,
    ...(data ? { outcome: { dataCollection: data as Record<string, unknown> } } : {}),
  };
}
const words = (callId: string, text: string, final = false): LiveUtterance => ({
  callId,
  speaker: 'driver',
  text,
  final,
});

describe('LiveBoardModel', () => {
  it('orders rows newest first and repaints only what changed', () => {
    const m = new LiveBoardModel();
    m.snapshot([call('a', 1), call('b', 2)]);
    expect(m.takeChanges()).toEqual({ dirty: ['a', 'b'], removed: [], order: ['b', 'a'] });
    m.utterances([words('a', 'hel'), words('zz', 'unknown')]);
    m.utterances([words('a', 'hello')]);
    m.updated(call('b', 2, 1)); // not newer: ignored
    expect(m.takeChanges()).toEqual({ dirty: ['a'], removed: [] });
    expect(m.row('a')?.words?.text).toBe('hello');
    m.updated(call('c', 3));
    expect(m.takeChanges()).toEqual({ dirty: ['c'], removed: [], order: ['c', 'b', 'a'] });
    expect(m.hasChanges).toBe(false);
  });

  it('counts calls needing attention as the attention queue would, across updates and snapshots', () => {
    const m = new LiveBoardModel();
    m.snapshot([call('a', 1), call('b', 2)]);
    expect(m.needsAttention).toBe(0);
    m.updated(call('a', 1, 5, 'completed', { acknowledged: false }));
    m.updated(call('b', 2, 5, 'no-answer'));
    expect(m.needsAttention).toBe(2);
    expect(m.row('a')).toMatchObject({ verdict: 'not_acknowledged', attention: ['not_acknowledged'] });
    expect(m.row('b')).toMatchObject({ verdict: 'unreachable', attention: ['unreachable'] });
    m.updated(call('c', 3, 5, 'completed', { acknowledged: true }));
    expect(m.needsAttention).toBe(2);
    // A snapshot without `a` removes it (and its count); rows newer than the snapshot are kept.
    m.takeChanges();
    m.snapshot([call('b', 2, 1), call('c', 3, 5, 'completed', { acknowledged: true })]);
    expect(m.needsAttention).toBe(1);
    expect(m.row('b')?.call.status).toBe('no-answer');
    expect(m.takeChanges()).toEqual({ dirty: [], removed: ['a'], order: ['c', 'b'] });
  });
});
