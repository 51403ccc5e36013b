// What a finished call means for the dispatcher: reached or not, acknowledged or not, and what the driver promised.
import type { Call } from './call.ts';
import type { AttemptFailure } from './campaign.ts';

/** Data-collection ids the ElevenLabs agent is configured with (the simulator's scripts answer the same). */
export const DATA_COLLECTION_IDS = {
  acknowledged: 'acknowledged',
  eta: 'eta',
  photosPromised: 'photos_promised',
  escalationNeeded: 'escalation_needed',
  optOut: 'opt_out',
} as const;

export type CallConclusion =
  /** The call has not ended, or it ended `completed` and the agent's analysis has not arrived yet. */
  | { kind: 'pending' }
  /** Nobody was reached (a retry may follow). */
  | { kind: 'not_reached'; failure: AttemptFailure; reason?: string }
  /** A person was reached and the agent's analysis is in. */
  | {
      kind: 'reached';
      acknowledged: boolean | null;
      eta?: string;
      photosPromised?: boolean;
      escalationNeeded?: boolean;
      optOut?: boolean;
      summary?: string;
      callSuccessful?: string;
    };

/**
 * Reads a call's conclusion from its status and the agent's analysis. A `completed` call is `voicemail` when
 * ElevenLabs says `call_result: voicemail` (or its termination reason names voicemail); busy / no-answer / failed /
 * canceled statuses are `not_reached` at once.
 */
export function concludeCall(call: Call): CallConclusion {
  switch (call.status) {
    case 'busy':
      return notReached('busy', call);
    case 'no-answer':
      return notReached('no-answer', call);
    case 'failed':
    case 'canceled':
      return notReached('failed', call);
    case 'completed':
      break;
    default:
      return { kind: 'pending' };
  }
  const outcome = call.outcome;
  if (!outcome) return { kind: 'pending' };
  const result = outcome.callResult?.toLowerCase();
  if (result === 'voicemail' || /voicemail/i.test(outcome.terminationReason ?? '')) {
    return notReached('voicemail', call);
  }
  if (result === 'no_answer') return notReached('no-answer', call);
  if (result === 'busy') return notReached('busy', call);
  const data = outcome.dataCollection ?? {};
  const eta = asText(data[DATA_COLLECTION_IDS.eta]);
  const photos = asBool(data[DATA_COLLECTION_IDS.photosPromised]);
  const escalation = asBool(data[DATA_COLLECTION_IDS.escalationNeeded]);
  const optOut = asBool(data[DATA_COLLECTION_IDS.optOut]);
  return {
    kind: 'reached',
    acknowledged: asBool(data[DATA_COLLECTION_IDS.acknowledged]) ?? null,
    ...(eta !== undefined ? { eta } : {}),
    ...(photos !== undefined ? { photosPromised: photos } : {}),
    ...(escalation !== undefined ? { escalationNeeded: escalation } : {}),
    ...(optOut !== undefined ? { optOut } : {}),
    ...(outcome.summary !== undefined ? { summary: outcome.summary } : {}),
    ...(outcome.callSuccessful !== undefined ? { callSuccessful: outcome.callSuccessful } : {}),
  };
}

function notReached(failure: AttemptFailure, call: Call): CallConclusion {
  return { kind: 'not_reached', failure, ...(call.failureReason ? { reason: call.failureReason } : {}) };
}

/** Agents answer booleans as `true`/`false` or as the strings "true"/"yes"/"false"/"no". */
function asBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'yes') return true;
  if (v === 'false' || v === 'no') return false;
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}
