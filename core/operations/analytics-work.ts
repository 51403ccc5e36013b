// Analytics as a worker capability: each concluded call and each attention notice adds its facts to the counters.
import {
  ackSecondsOf,
  dayIn,
  groupsOf,
  NO_GROUP_KEY,
  triggerClassesOf,
  type AnalyticsFact,
} from '../domain/analytics.ts';
import type { AttentionItem } from '../domain/attention.ts';
import type { Call } from '../domain/call.ts';
import { isTerminal } from '../domain/call.ts';
import { concludeCall } from '../domain/call-outcome.ts';
import type { AnalyticsStore } from '../ports/analytics-store.ts';
import type { CallStore } from '../ports/call-store.ts';
import type { BusMessage } from '../ports/event-bus.ts';
import type { Logger } from '../support/log.ts';
import type { WorkModule } from './work-module.ts';

export interface AnalyticsWorkDeps {
  analytics: AnalyticsStore;
  /** Read for an attention item's first call (its triggers give the item's violation types). */
  store: Pick<CallStore, 'getCall'>;
  /** IANA zone whose calendar days the counters use (`ORG_DEFAULT_TIMEZONE`). */
  timeZone: string;
  logger: Logger;
}

/**
 * The analytics capability (a bus consumer only, no due work). Facts and when they are counted:
 * - `dialed` when a call's snapshot has a terminal status; `connected` when `concludeCall` says reached (voicemail
 *   and the other not-reached results are not); `acknowledged` (with its time to acknowledgment, `ackSecondsOf`)
 *   when the reached call's analysis says acknowledged. All on the day the call was created, in its campaign's group
 *   and in the group of each of its trigger classes.
 * - `attentionOpened` / `attentionResolved` on the day the item was opened / resolved, in its campaign's group and
 *   its first call's trigger classes.
 * Every fact carries a marker (`call:<id>:<metric>`, `attention:<id>:<metric>`) counted once by the store, so
 * redeliveries and the several events of one call add nothing. Store failures throw (the message is redelivered).
 */
export function createAnalyticsWork(deps: AnalyticsWorkDeps): WorkModule {
  const log = deps.logger.child({ module: 'analytics' });

  async function countCall(call: Call): Promise<void> {
    if (!isTerminal(call.status)) return;
    const facts: AnalyticsFact[] = [{ metric: 'dialed' }];
    const conclusion = concludeCall(call);
    if (conclusion.kind === 'reached') {
      facts.push({ metric: 'connected' });
      if (conclusion.acknowledged === true) {
        const ackSeconds = ackSecondsOf(call);
        facts.push({ metric: 'acknowledged', ...(ackSeconds !== undefined ? { ackSeconds } : {}) });
      }
    }
    const day = dayIn(call.createdAt, deps.timeZone);
    const groups = groupsOf({
      day,
      triggerClasses: triggerClassesOf(call),
      campaignId: call.campaign?.campaignId,
    });
    for (const fact of facts) {
      await deps.analytics.record({
        orgId: call.orgId,
        markerId: `call:${call.callId}:${fact.metric}`,
        day,
        groups,
        fact,
      });
    }
  }

  async function countAttention(
    item: AttentionItem,
    metric: 'attentionOpened' | 'attentionResolved',
    at: string,
  ): Promise<void> {
    const firstCallId = item.callIds[0];
    const call = firstCallId ? await deps.store.getCall(firstCallId) : null;
    const day = dayIn(at, deps.timeZone);
    await deps.analytics.record({
      orgId: item.orgId,
      markerId: `attention:${item.attentionId}:${metric}`,
      day,
      groups: groupsOf({
        day,
        triggerClasses: call && call.orgId === item.orgId ? triggerClassesOf(call) : [NO_GROUP_KEY],
        campaignId: item.campaignId,
      }),
      fact: { metric },
    });
  }

  async function onBusMessage(message: BusMessage): Promise<void> {
    switch (message.type) {
      case 'partial':
        return;
      case 'event':
        // Segments change neither status nor outcome; status and transcript events may conclude the call.
        if (message.event.kind !== 'segment') await countCall(message.call);
        return;
      case 'notice': {
        const { notice } = message;
        if (notice.kind === 'attention_opened') {
          await countAttention(notice.item, 'attentionOpened', notice.item.openedAt);
        } else if (notice.kind === 'attention_resolved') {
          if (!notice.item.resolved) {
            log.warn('attention_resolved notice without a resolution; dropped', {
              attentionId: notice.item.attentionId,
            });
            return;
          }
          await countAttention(notice.item, 'attentionResolved', notice.item.resolved.at);
        }
        return;
      }
    }
  }

  return { name: 'analytics', handlers: {}, onBusMessage };
}
