// Wire form of bus messages on Pub/Sub: JSON data plus routing attributes, and the parse that guards the consumer edge.
import { isCallStatus, type Call } from '../../domain/call.ts';
import { isEventKind, SPEAKERS, type CallEvent, type PartialSegment } from '../../domain/call-event.ts';
import type { Notice, NoticeKind } from '../../domain/notice.ts';
import { orderingKey, type BusMessage, type BusRoute, type PartialPosition } from '../../ports/event-bus.ts';

export interface EncodedBusMessage {
  data: Buffer;
  orderingKey: string;
  /** Let subscriptions filter without decoding: type, callId, orgId, and seq for durable events. */
  attributes: Record<string, string>;
}

export function encodeBusMessage(message: BusMessage): EncodedBusMessage {
  return {
    data: Buffer.from(JSON.stringify(message)),
    orderingKey: orderingKey(message),
    attributes: attributesOf(message),
  };
}

function attributesOf(message: BusMessage): Record<string, string> {
  switch (message.type) {
    case 'event':
      return {
        type: 'event',
        callId: message.event.callId,
        seq: String(message.event.seq),
        orgId: message.call.orgId,
      };
    case 'partial':
      return { type: 'partial', callId: message.partial.callId, orgId: message.orgId };
    case 'notice':
      return { type: 'notice', notice: message.notice.kind, orgId: message.orgId };
  }
}

/** The route the attributes carry, or undefined when they do not carry a complete one (decode the body instead). */
export function routeFromAttributes(attributes: Record<string, string> | undefined): BusRoute | undefined {
  const orgId = attributes?.orgId;
  if (orgId === undefined) return undefined;
  switch (attributes?.type) {
    case 'event':
    case 'partial':
      return attributes.callId === undefined
        ? undefined
        : { type: attributes.type, orgId, callId: attributes.callId };
    case 'notice':
      return { type: 'notice', orgId };
    default:
      return undefined;
  }
}

/** Decodes a message body; null when it is not a bus message (the consumer logs and acks it). */
export function parseBusMessage(data: Buffer): BusMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value.type === 'event' && isCallEvent(value.event) && isCall(value.call)) {
    if (value.event.callId !== value.call.callId) return null;
    return { type: 'event', event: value.event, call: value.call };
  }
  if (value.type === 'partial' && isPartial(value.partial) && typeof value.orgId === 'string') {
    const position = isPosition(value.position) ? { position: value.position } : {};
    return { type: 'partial', partial: value.partial, orgId: value.orgId, ...position };
  }
  if (value.type === 'notice' && isNotice(value.notice) && typeof value.orgId === 'string') {
    return { type: 'notice', notice: value.notice, orgId: value.orgId };
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCallEvent(value: unknown): value is CallEvent {
  return (
    isRecord(value) &&
    typeof value.callId === 'string' &&
    Number.isInteger(value.seq) &&
    (value.seq as number) >= 1 &&
    typeof value.dedupeKey === 'string' &&
    typeof value.recordedAt === 'string' &&
    isEventKind(value.kind)
  );
}

function isCall(value: unknown): value is Call {
  return (
    isRecord(value) &&
    typeof value.callId === 'string' &&
    typeof value.orgId === 'string' &&
    isCallStatus(value.status) &&
    Number.isInteger(value.lastSeq) &&
    Array.isArray(value.triggers)
  );
}

function isPosition(value: unknown): value is PartialPosition {
  return (
    isRecord(value) &&
    typeof value.stream === 'string' &&
    Number.isSafeInteger(value.at) &&
    (value.at as number) >= 0
  );
}

function isPartial(value: unknown): value is PartialSegment {
  return (
    isRecord(value) &&
    value.kind === 'partial' &&
    typeof value.callId === 'string' &&
    typeof value.text === 'string' &&
    (SPEAKERS as readonly unknown[]).includes(value.speaker)
  );
}

const NOTICE_KINDS: ReadonlySet<string> = new Set<NoticeKind>([
  'campaign_progress',
  'campaign_completed',
  'attention_opened',
  'attention_resolved',
  'driver_opted_out',
]);

/** Shallow check: notices come only from callrelay's own code, so the kind and its main record are enough. */
function isNotice(value: unknown): value is Notice {
  if (!isRecord(value) || typeof value.kind !== 'string' || !NOTICE_KINDS.has(value.kind)) return false;
  switch (value.kind) {
    case 'campaign_progress':
    case 'campaign_completed':
      return isRecord(value.campaign) && typeof value.campaign.campaignId === 'string';
    case 'attention_opened':
    case 'attention_resolved':
      return isRecord(value.item) && typeof value.item.attentionId === 'string';
    default:
      return typeof value.driverId === 'string' && typeof value.callId === 'string';
  }
}
