// What every finished call (campaign or single) leaves for later: an opt-out suppresses the number, and what needs
// a human (not acknowledged, escalation, opt-out) goes to the attention queue — once, however often it is replayed.
import type { Call } from '../domain/call.ts';
import type { CallConclusion } from '../domain/call-outcome.ts';
import type { AttentionReason } from '../domain/attention.ts';
import { reachedAttentionReasons } from '../domain/call-verdict.ts';
import type { AttentionQueue } from '../ports/attention-queue.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { SuppressionList } from '../ports/suppression-list.ts';
import type { Clock } from '../support/clock.ts';
import type { Logger } from '../support/log.ts';
import { attentionIdFor, openAttention, summaryLine } from './attention-items.ts';
import { publishNotice } from './publish-notice.ts';

export interface FollowUpDeps {
  suppressions: SuppressionList;
  attention: AttentionQueue;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
}

/**
 * For a reached call: opt-out → the number is suppressed (`driver_opted_out` only when newly listed) and an
 * `opted_out` item opens; escalation requested → `escalation`; not explicitly acknowledged (and not opted out, which
 * has its own item) → `not_acknowledged`. `call` must be the stored record (with the phone number).
 */
export async function followUpCall(
  deps: FollowUpDeps,
  call: Call,
  conclusion: CallConclusion,
): Promise<void> {
  if (conclusion.kind !== 'reached') return;
  const now = deps.clock.now().toISOString();
  const open = (reason: AttentionReason) =>
    openAttention(deps, {
      attentionId: attentionIdFor(call.orgId, reason, call.callId),
      orgId: call.orgId,
      reason,
      driverId: call.driver?.id ?? '',
      driverName: call.driver?.name ?? '',
      callIds: [call.callId],
      ...(call.campaign ? { campaignId: call.campaign.campaignId } : {}),
      ...optional('summary', summaryLine(conclusion.summary)),
      openedAt: now,
    });
  if (conclusion.optOut === true) await suppress(deps, call, now);
  // One rule for the queue and the live board's "Needs attention" filter.
  for (const reason of reachedAttentionReasons(conclusion)) await open(reason);
}

async function suppress(deps: FollowUpDeps, call: Call, now: string): Promise<void> {
  const phoneNumber = call.driver?.phoneNumber;
  if (!phoneNumber) {
    deps.logger.warn('opt-out on a call without a number; nothing to suppress', { callId: call.callId });
    return;
  }
  const { suppression, created } = await deps.suppressions.add({
    orgId: call.orgId,
    phoneNumber,
    reason: 'opt_out',
    callId: call.callId,
    ...optional('driverId', call.driver?.id),
    createdBy: 'system',
    createdAt: now,
  });
  if (!created) return;
  deps.logger.info('number suppressed after an opt-out', {
    callId: call.callId,
    suppressionId: suppression.suppressionId,
  });
  await publishNotice(deps, call.orgId, {
    kind: 'driver_opted_out',
    orgId: call.orgId,
    driverId: call.driver?.id ?? '',
    driverName: call.driver?.name ?? '',
    phoneNumber,
    callId: call.callId,
    ...(call.campaign ? { campaignId: call.campaign.campaignId } : {}),
    at: now,
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
