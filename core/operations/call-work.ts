// The call engine as one worker module: campaign driver steps, dial recovery and post-call reconciliation on the
// due-work schedule, and the bus consumer that settles every call as soon as it ends.
import { isTerminal } from '../domain/call.ts';
import { concludeCall } from '../domain/call-outcome.ts';
import type { BusMessage } from '../ports/event-bus.ts';
import type { DueItem } from '../ports/due-work.ts';
import type { ConversationSource } from '../ports/voice-agent.ts';
import type { SchedulerConfig } from '../support/config.ts';
import type { Logger } from '../support/log.ts';
import { stepDriver, type DriverStepDeps } from './campaign-driver-step.ts';
import { reconcileConversation } from './conversation-reconciler.ts';
import { callReconcileKey, DUE_KINDS, type CallWork, type CampaignDriverWork } from './due-kinds.ts';
import type { DueOutcome } from './due-work-runner.ts';
import {
  concludeWithoutAnalysis,
  scheduleFirstReconcile,
  scheduleReconcile,
  settleCall,
  type ReconcileWork,
} from './settle-call.ts';
import type { WorkModule } from './work-module.ts';

export interface CallWorkDeps extends DriverStepDeps {
  /** ElevenLabs conversations, for calls whose post-call webhook never came. */
  conversations: ConversationSource;
  settings: SchedulerConfig;
}

/** A conversation still not final after this many fetches is settled with what is known. */
export const RECONCILE_MAX_TRIES = 10;
/** Wait between fetches of a conversation that is not final yet: a minute, or `reconcileAfterSecs` if shorter. */
export const RECONCILE_RETRY_MAX_MS = 60_000;

/**
 * The engine's handlers (`campaign_driver`, `call_dial`, `call_reconcile`) and its bus consumer: a terminal status or
 * a post-call transcript of any call settles it (campaign attempt, opt-out, attention) and a call that ended
 * without its transcript gets a reconcile item. Everything is idempotent under redelivery.
 */
export function createCallWork(deps: CallWorkDeps): WorkModule {
  const log = deps.logger.child({ module: 'calls' });
  return {
    name: 'calls',
    handlers: {
      [DUE_KINDS.campaignDriver]: (item, now) =>
        withPayload<CampaignDriverWork>(item, log, isDriverWork, (work) => stepDriver(deps, work, now)),
      [DUE_KINDS.callDial]: (item) =>
        withPayload<CallWork>(item, log, isCallWork, async ({ callId }) => {
          const outcome = await deps.dialer.recover(callId);
          if (outcome !== 'confirmed') log.info('dial recovered', { callId, outcome });
          return { done: true };
        }),
      [DUE_KINDS.callReconcile]: (item, now) =>
        withPayload<ReconcileWork>(item, log, isCallWork, (work) => reconcileCall(deps, work, now)),
    },
    onBusMessage: (message) => onCallEvent(deps, message),
  };
}

async function onCallEvent(deps: CallWorkDeps, message: BusMessage): Promise<void> {
  if (message.type !== 'event') return;
  const { event } = message;
  const queued = event.kind === 'call_status' && event.status === 'queued';
  const ended = event.kind === 'call_status' && isTerminal(event.status);
  if (!queued && !ended && event.kind !== 'transcript') return;
  if (event.kind === 'transcript') await deps.dueWork.cancel(callReconcileKey(event.callId));
  // The bus carries the call without its number; the stored record has it (and may be newer).
  const call = await deps.store.getCall(event.callId);
  if (!call) return;
  if (queued) {
    await scheduleFirstReconcile(deps, call, deps.clock.now());
    return;
  }
  if (ended) await scheduleReconcile(deps, call, deps.clock.now());
  await settleCall(deps, call, concludeCall(call));
}

/**
 * Fetches the conversation of a call whose post-call webhook did not arrive and stores it through the reconcile
 * path (its `completed` status and transcript events then settle the call like the webhook would). A conversation
 * not final yet, or a call still in flight without one, is looked at again later, at most
 * {@link RECONCILE_MAX_TRIES} times; an ended call whose conversation is unknown or never became final is settled
 * with what is known.
 */
async function reconcileCall(deps: CallWorkDeps, work: ReconcileWork, now: Date): Promise<DueOutcome> {
  const call = await deps.store.getCall(work.callId);
  if (!call || call.outcome) return { done: true };
  const tries = (work.tries ?? 0) + 1;
  const later = (): DueOutcome | null => {
    if (tries >= RECONCILE_MAX_TRIES) return null;
    const wait = Math.min(RECONCILE_RETRY_MAX_MS, deps.settings.reconcileAfterSecs * 1000);
    const next: ReconcileWork = { callId: call.callId, tries };
    return { done: false, at: new Date(now.getTime() + wait), payload: JSON.stringify(next) };
  };
  if (call.conversationId) {
    const snapshot = await deps.conversations.getConversation(call.conversationId);
    if (snapshot) {
      const reconciled = await reconcileConversation(deps, call, snapshot);
      if (reconciled !== 'not_final') {
        deps.logger.info('missed post-call webhook reconciled', { callId: call.callId, reconciled, tries });
        const stored = await deps.store.getCall(call.callId);
        if (stored) await settleCall(deps, stored, concludeCall(stored));
        return { done: true };
      }
      const again = later();
      if (again) return again;
    }
  } else if (!isTerminal(call.status)) {
    // Still in flight as far as callrelay knows (its status callbacks will move it, or the next look will).
    return later() ?? { done: true };
  }
  if (!isTerminal(call.status)) {
    deps.logger.warn('conversation never became final; the call stays open', { callId: call.callId, tries });
    return { done: true };
  }
  deps.logger.warn('no post-call analysis will come; settling the call with what is known', {
    callId: call.callId,
    tries,
  });
  await settleCall(deps, call, concludeWithoutAnalysis(call));
  return { done: true };
}

/** Parses an item's JSON payload; a malformed one is logged and dropped (it can never succeed). */
async function withPayload<T>(
  item: DueItem,
  log: Logger,
  valid: (value: unknown) => boolean,
  run: (payload: T) => Promise<DueOutcome>,
): Promise<DueOutcome> {
  let payload: unknown;
  try {
    payload = JSON.parse(item.payload);
  } catch {
    payload = undefined;
  }
  if (!valid(payload)) {
    log.error('malformed due-work payload dropped', { dueKind: item.kind });
    return { done: true };
  }
  return run(payload as T);
}

function isDriverWork(value: unknown): boolean {
  const v = value as Partial<CampaignDriverWork> | null;
  return typeof v?.campaignId === 'string' && typeof v.driverId === 'string';
}

function isCallWork(value: unknown): boolean {
  return typeof (value as Partial<CallWork> | null)?.callId === 'string';
}
