// The board's verdict per call: badge and attention reasons, table-driven over statuses and agent analyses.
import { describe, expect, it } from 'vitest';
import { newCallRecord, type Call, type CallOutcome, type CallStatus } from './call.ts';
import { callVerdict } from './call-verdict.ts';

function call(status: CallStatus, outcome?: CallOutcome): Call {
  return {
    ...newCallRecord({ callId: 'c1', orgId: 'o1' }, '2026-01-01T00:00:00.000Z'),
    status,
    ...(outcome ? { outcome } : {}),
  };
}
const analysis = (data: Record<string, unknown>, extra: Partial<CallOutcome> = {}): CallOutcome => ({
  dataCollection: data,
  ...extra,
});

describe('callVerdict', () => {
  it.each([
    ['running', call('in-progress'), 'pending', []],
    ['completed, analysis not in yet', call('completed'), 'pending', []],
    ['acknowledged', call('completed', analysis({ acknowledged: true })), 'acknowledged', []],
    [
      'acknowledged but escalation requested',
      call('completed', analysis({ acknowledged: 'yes', escalation_needed: true })),
      'acknowledged',
      ['escalation'],
    ],
    [
      'not acknowledged',
      call('completed', analysis({ acknowledged: false })),
      'not_acknowledged',
      ['not_acknowledged'],
    ],
    [
      'no answer on acknowledgment',
      call('completed', analysis({})),
      'not_acknowledged',
      ['not_acknowledged'],
    ],
    ['opted out', call('completed', analysis({ opt_out: true })), 'opted_out', ['opted_out']],
    ['voicemail', call('completed', analysis({}, { callResult: 'voicemail' })), 'voicemail', ['unreachable']],
    ['busy', call('busy'), 'unreachable', ['unreachable']],
    ['no answer', call('no-answer'), 'unreachable', ['unreachable']],
    ['failed', call('failed'), 'unreachable', ['unreachable']],
  ] as const)('%s', (_name, c, verdict, attention) => {
    expect(callVerdict(c)).toEqual({ verdict, attention: [...attention] });
  });
});
