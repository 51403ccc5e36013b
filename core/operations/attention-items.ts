// Opens attention items with deterministic ids (a redelivered event finds the first item) and announces new ones.
import { createHash } from 'node:crypto';
import type { AttentionItem, AttentionReason } from '../domain/attention.ts';
import type { AttentionQueue, NewAttentionItem } from '../ports/attention-queue.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Logger } from '../support/log.ts';
import { publishNotice } from './publish-notice.ts';

/** Longest summary line kept on an item. */
const SUMMARY_MAX = 300;

/**
 * `att_` + 32 hex of sha256(org, reason, subject): the subject is the call for call-level reasons, the campaign
 * driver (`<campaignId>:<driverId>`) for `unreachable`. Reveals neither.
 */
export function attentionIdFor(orgId: string, reason: AttentionReason, subject: string): string {
  return (
    'att_' +
    createHash('sha256').update(`attention\n${orgId}\n${reason}\n${subject}`).digest('hex').slice(0, 32)
  );
}

/** Opens the item (idempotent by id) and publishes `attention_opened` only when it is new. */
export async function openAttention(
  deps: { attention: AttentionQueue; bus: EventBus; logger: Logger },
  item: NewAttentionItem,
): Promise<AttentionItem> {
  const { item: stored, created } = await deps.attention.open(item);
  if (created) {
    deps.logger.info('attention opened', { attentionId: stored.attentionId, reason: stored.reason });
    await publishNotice(deps, stored.orgId, { kind: 'attention_opened', item: stored });
  }
  return stored;
}

/** One line for a list: no line breaks, no phone numbers (an agent's summary may quote one), bounded length. */
export function summaryLine(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const line = text
    .replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]')
    .replace(/\s+/g, ' ')
    .trim();
  if (!line) return undefined;
  return line.length > SUMMARY_MAX ? line.slice(0, SUMMARY_MAX - 1) + '…' : line;
}
