// How a call reads at a glance on the live board: one outcome badge and the attention reasons it opens.
import type { AttentionReason } from './attention.ts';
import type { Call } from './call.ts';
import { concludeCall, type CallConclusion } from './call-outcome.ts';

/** The badge a concluded call shows; `pending` while it runs or its analysis has not arrived. */
export type CallVerdict =
  'pending' | 'acknowledged' | 'not_acknowledged' | 'unreachable' | 'voicemail' | 'opted_out';

/**
 * What needs a human after a reached call — the attention queue's rules (`followUpCall` opens exactly these):
 * opt-out → `opted_out`; escalation requested → `escalation`; not explicitly acknowledged and not opted out (which
 * has its own item) → `not_acknowledged`.
 */
export function reachedAttentionReasons(conclusion: CallConclusion & { kind: 'reached' }): AttentionReason[] {
  const reasons: AttentionReason[] = [];
  if (conclusion.optOut === true) reasons.push('opted_out');
  if (conclusion.escalationNeeded === true) reasons.push('escalation');
  if (conclusion.acknowledged !== true && conclusion.optOut !== true) reasons.push('not_acknowledged');
  return reasons;
}

/**
 * The board's reading of a call: its badge and the attention reasons it stands for. A call that reached nobody
 * (busy, no answer, failed, voicemail) counts as `unreachable` for attention, as a campaign driver out of attempts
 * does; a voicemail keeps its own badge.
 */
export function callVerdict(call: Call): { verdict: CallVerdict; attention: AttentionReason[] } {
  const conclusion = concludeCall(call);
  switch (conclusion.kind) {
    case 'pending':
      return { verdict: 'pending', attention: [] };
    case 'not_reached':
      return {
        verdict: conclusion.failure === 'voicemail' ? 'voicemail' : 'unreachable',
        attention: ['unreachable'],
      };
    case 'reached': {
      const attention = reachedAttentionReasons(conclusion);
      const verdict: CallVerdict =
        conclusion.optOut === true
          ? 'opted_out'
          : conclusion.acknowledged === true
            ? 'acknowledged'
            : 'not_acknowledged';
      return { verdict, attention };
    }
  }
}
