// Settling a finished call: its campaign attempt ends and its follow-ups open; a call that ended without the
// agent's analysis gets a reconcile item, and once reconciling gave up it is settled with what is known.
import { isTerminal, type Call } from '../domain/call.ts';
import { concludeCall, type CallConclusion } from '../domain/call-outcome.ts';
import type { SuppressionList } from '../ports/suppression-list.ts';
import type { SchedulerConfig } from '../support/config.ts';
import { concludeAttempt, type CampaignEngineDeps } from './attempt-conclusion.ts';
import { followUpCall } from './call-follow-up.ts';
import { callReconcileKey, DUE_KINDS } from './due-kinds.ts';

export interface SettleDeps extends CampaignEngineDeps {
  suppressions: SuppressionList;
  settings: Pick<SchedulerConfig, 'reconcileAfterSecs'>;
}

/** Payload of a `call_reconcile` item: the call and how many fetches found the conversation not final yet. */
export interface ReconcileWork {
  callId: string;
  tries?: number;
}

/**
 * Opens the call's follow-ups (suppression, attention), then ends its campaign attempt (if any): a driver's final
 * state (and a completed campaign) is only announced once what it implies is stored. Idempotent: redeliveries (also
 * after a failure between the two) change nothing twice.
 */
export async function settleCall(deps: SettleDeps, call: Call, conclusion: CallConclusion): Promise<void> {
  if (conclusion.kind === 'pending') return;
  await followUpCall(deps, call, conclusion);
  await concludeAttempt(deps, call, conclusion);
}

/**
 * The conclusion once no analysis will come (the conversation is unknown or never became final): a `completed`
 * call counts as reached with nothing acknowledged, so a human looks at it.
 */
export function concludeWithoutAnalysis(call: Call): CallConclusion {
  const conclusion = concludeCall(call);
  if (conclusion.kind === 'pending' && call.status === 'completed') {
    return { kind: 'reached', acknowledged: null };
  }
  return conclusion;
}

/** Whether a finished call still waits for the agent's analysis that a reconcile fetch could bring. */
export function needsReconcile(call: Call): boolean {
  return (
    isTerminal(call.status) && !call.outcome && (Boolean(call.conversationId) || call.status === 'completed')
  );
}

/**
 * Schedules the call's reconcile item at `endedAt` + `reconcileAfterSecs` (an upsert: redeliveries set the same
 * time). With `onlyBeforeDue`, nothing happens once that time passed (the item is then running or finished, and
 * scheduling again would restart its bounded retries).
 */
export async function scheduleReconcile(
  deps: Pick<SettleDeps, 'dueWork' | 'settings'>,
  call: Call,
  now: Date,
  options: { onlyBeforeDue?: boolean } = {},
): Promise<void> {
  if (!needsReconcile(call)) return;
  const endedAt = Date.parse(call.endedAt ?? call.updatedAt);
  const dueAt = new Date(endedAt + deps.settings.reconcileAfterSecs * 1000);
  if (options.onlyBeforeDue && dueAt <= now) return;
  await scheduleReconcileAt(deps, call.callId, dueAt, now);
}

/**
 * Schedules the first look at a call just queued, `reconcileAfterSecs` after its creation: when ElevenLabs placed
 * the call, its post-call webhook is the only word callrelay gets that it ended, so a lost one must be noticed
 * without a terminal status. The post-call transcript cancels the item; a terminal status moves it.
 */
export async function scheduleFirstReconcile(
  deps: Pick<SettleDeps, 'dueWork' | 'settings'>,
  call: Call,
  now: Date,
): Promise<void> {
  if (call.outcome || isTerminal(call.status)) return;
  const dueAt = new Date(Date.parse(call.createdAt) + deps.settings.reconcileAfterSecs * 1000);
  await scheduleReconcileAt(deps, call.callId, dueAt, now);
}

async function scheduleReconcileAt(
  deps: Pick<SettleDeps, 'dueWork'>,
  callId: string,
  dueAt: Date,
  now: Date,
): Promise<void> {
  const payload: ReconcileWork = { callId };
  await deps.dueWork.schedule({
    key: callReconcileKey(callId),
    kind: DUE_KINDS.callReconcile,
    dueAt,
    payload: JSON.stringify(payload),
    now,
  });
}
