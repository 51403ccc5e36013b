// Which outbound webhook events a bus message means: call outcomes, attention, campaign completion, opt-outs.
import { createHash } from 'node:crypto';
import { concludeCall } from '../domain/call-outcome.ts';
import { isTerminal, type Call } from '../domain/call.ts';
import {
  WEBHOOK_LIMITS,
  type CallCompletedData,
  type CallFailedData,
  type DeliveredEventType,
  type WebhookDriver,
  type WebhookEventData,
  type WebhookPayload,
} from '../domain/webhook.ts';
import type { BusMessage } from '../ports/event-bus.ts';

/** One happening to deliver, before it is addressed to endpoints. `data` carries no phone number. */
export interface OutboundEvent {
  /**
   * Stable identity of the happening: the same call ending (a redelivered message, a transcript stored again by
   * reconciliation) always has the same id, so it makes one delivery per endpoint.
   */
  eventId: string;
  orgId: string;
  type: DeliveredEventType;
  timestamp: string;
  data: WebhookEventData;
  /** Where the driver's number comes from, for endpoints that opted in to phone numbers. */
  phone?: { callId: string } | { number: string };
}

/** The events a bus message means (none for most: segments, partials, progress, calls still going). */
export function webhookEventsOf(message: BusMessage): OutboundEvent[] {
  switch (message.type) {
    case 'partial':
      return [];
    case 'event': {
      // A call concludes on its terminal status or on the transcript that follows it, whichever comes last.
      if (message.event.kind === 'segment') return [];
      const event = callEventOf(message.call, message.event.recordedAt);
      return event ? [event] : [];
    }
    case 'notice': {
      const { notice, orgId } = message;
      switch (notice.kind) {
        case 'campaign_progress':
        case 'attention_resolved':
          return [];
        case 'campaign_completed': {
          const c = notice.campaign;
          const completedAt = c.completedAt ?? c.updatedAt;
          return [
            {
              eventId: `campaign.completed:${c.campaignId}`,
              orgId,
              type: 'campaign.completed',
              timestamp: completedAt,
              data: {
                campaignId: c.campaignId,
                name: c.name,
                driverCount: c.driverCount,
                counts: c.counts,
                completedAt,
              },
            },
          ];
        }
        case 'attention_opened': {
          const i = notice.item;
          return [
            {
              eventId: `call.needs_attention:${i.attentionId}`,
              orgId,
              type: 'call.needs_attention',
              timestamp: i.openedAt,
              data: {
                attentionId: i.attentionId,
                reason: i.reason,
                driverId: i.driverId,
                driverName: i.driverName,
                callIds: i.callIds,
                ...(i.campaignId ? { campaignId: i.campaignId } : {}),
                ...(i.summary ? { summary: i.summary } : {}),
                openedAt: i.openedAt,
              },
            },
          ];
        }
        case 'driver_opted_out':
          return [
            {
              eventId: `driver.opted_out:${notice.driverId}:${notice.callId}`,
              orgId,
              type: 'driver.opted_out',
              timestamp: notice.at,
              data: {
                driverId: notice.driverId,
                driverName: notice.driverName,
                callId: notice.callId,
                ...(notice.campaignId ? { campaignId: notice.campaignId } : {}),
                at: notice.at,
              },
              phone: { number: notice.phoneNumber },
            },
          ];
      }
    }
  }
}

/** `call.completed` (reached) or `call.failed` (not reached) once a call has concluded; undefined before. */
function callEventOf(call: Call, recordedAt: string): OutboundEvent | undefined {
  if (!isTerminal(call.status)) return undefined;
  const conclusion = concludeCall(call);
  const timestamp = call.endedAt ?? recordedAt;
  const driver: WebhookDriver | undefined = call.driver
    ? { id: call.driver.id, name: call.driver.name }
    : undefined;
  const common = {
    callId: call.callId,
    ...(driver ? { driver } : {}),
    triggers: call.triggers,
    ...(call.campaign ? { campaign: call.campaign } : {}),
  };
  const base = { orgId: call.orgId, timestamp, phone: { callId: call.callId } };
  switch (conclusion.kind) {
    case 'pending':
      return undefined;
    case 'not_reached': {
      const data: CallFailedData = {
        ...common,
        status: call.status,
        reason: conclusion.failure,
        ...(conclusion.reason ? { detail: conclusion.reason } : {}),
        ...(call.endedAt ? { endedAt: call.endedAt } : {}),
      };
      return { ...base, eventId: `call.failed:${call.callId}`, type: 'call.failed', data };
    }
    case 'reached': {
      const { kind: _kind, callSuccessful, ...outcome } = conclusion;
      const data: CallCompletedData = {
        ...common,
        ...(call.conversationId ? { conversationId: call.conversationId } : {}),
        ...(call.answeredAt ? { answeredAt: call.answeredAt } : {}),
        ...(call.endedAt ? { endedAt: call.endedAt } : {}),
        ...(call.durationSecs !== undefined ? { durationSecs: call.durationSecs } : {}),
        outcome: { ...outcome, ...(callSuccessful !== undefined ? { evaluation: callSuccessful } : {}) },
      };
      return { ...base, eventId: `call.completed:${call.callId}`, type: 'call.completed', data };
    }
  }
}

/** The `webhook-id` of an event's delivery to one endpoint: derived, so a repeated event finds its delivery. */
export function deliveryIdOf(endpointId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${endpointId}\n${eventId}`).digest('hex').slice(0, 32)}`;
}

/** Summaries are cut to this many characters when an event would exceed the body limit. */
const SUMMARY_CUT = 2000;

/**
 * The JSON body for one endpoint: the driver's number only when given (the endpoint opted in), at most
 * `WEBHOOK_LIMITS.bodyMaxBytes` (a long summary is cut, marked by `truncated: true`).
 */
export function webhookBody(event: OutboundEvent, phoneNumber?: string): string {
  let data = withPhoneNumber(event, phoneNumber);
  const payload = (d: WebhookEventData, truncated?: boolean): string =>
    JSON.stringify({
      type: event.type,
      timestamp: event.timestamp,
      data: d,
      ...(truncated ? { truncated } : {}),
    } satisfies WebhookPayload & { truncated?: boolean });
  const body = payload(data);
  if (Buffer.byteLength(body) <= WEBHOOK_LIMITS.bodyMaxBytes) return body;
  data = cutSummaries(data);
  const cut = payload(data, true);
  if (Buffer.byteLength(cut) <= WEBHOOK_LIMITS.bodyMaxBytes) return cut;
  // Only callrelay's own bounded fields remain; this means a limit elsewhere was raised past this one.
  throw new TypeError(`webhook event ${event.type} exceeds ${WEBHOOK_LIMITS.bodyMaxBytes} bytes`);
}

function withPhoneNumber(event: OutboundEvent, phoneNumber: string | undefined): WebhookEventData {
  if (!phoneNumber) return event.data;
  if (event.type === 'driver.opted_out') return { ...event.data, phoneNumber } as WebhookEventData;
  const data = event.data as CallCompletedData | CallFailedData;
  return data.driver ? { ...data, driver: { ...data.driver, phoneNumber } } : data;
}

function cutSummaries(data: WebhookEventData): WebhookEventData {
  const cut = (s: string | undefined) => (s && s.length > SUMMARY_CUT ? `${s.slice(0, SUMMARY_CUT)}…` : s);
  if ('outcome' in data && data.outcome.summary) {
    return { ...data, outcome: { ...data.outcome, summary: cut(data.outcome.summary)! } };
  }
  if ('summary' in data && data.summary) return { ...data, summary: cut(data.summary)! };
  return data;
}
