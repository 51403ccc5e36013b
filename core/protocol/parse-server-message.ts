// Light guard for frames a client receives: enough structure to dispatch safely, without a schema library.
import { EVENT_KINDS, isEventKind } from '../domain/call-event.ts';
import type { ServerMessage, ServerMessageType } from './relay-messages.ts';

const SERVER_TYPES: ReadonlySet<string> = new Set<ServerMessageType>([
  'subscribed',
  ...EVENT_KINDS,
  'partial',
  'calls',
  'call_updated',
  'utterances',
  'unsubscribed',
  'campaign',
  'campaign_updated',
  'unsubscribed_campaign',
  'authenticated',
  'error',
  'pong',
]);

/** Parses a server frame; `undefined` for anything that is not a known, well-formed message. */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const record = raw as Record<string, unknown>;
  if (typeof record.type !== 'string' || !SERVER_TYPES.has(record.type)) return undefined;
  if (isEventKind(record.type) && (typeof record.callId !== 'string' || !Number.isInteger(record.seq)))
    return undefined;
  if ((record.type === 'subscribed' || record.type === 'partial') && typeof record.callId !== 'string')
    return undefined;
  if (
    (record.type === 'campaign' || record.type === 'campaign_updated') &&
    (typeof record.campaign !== 'object' ||
      record.campaign === null ||
      typeof (record.campaign as Record<string, unknown>).campaignId !== 'string')
  )
    return undefined;
  if (record.type === 'campaign' && !Array.isArray(record.drivers)) return undefined;
  if (record.type === 'utterances' && !Array.isArray(record.utterances)) return undefined;
  return raw as ServerMessage;
}
