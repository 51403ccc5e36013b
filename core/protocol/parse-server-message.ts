// Light guard for frames a client receives: enough structure to dispatch safely, without a schema library.
import type { ServerMessage, ServerMessageType } from './relay-messages.ts';

const SERVER_TYPES: ReadonlySet<string> = new Set<ServerMessageType>([
  'subscribed',
  'call_status',
  'segment',
  'transcript',
  'partial',
  'calls',
  'call_updated',
  'unsubscribed',
  'authenticated',
  'error',
  'pong',
]);

const SEQUENCED: ReadonlySet<string> = new Set(['call_status', 'segment', 'transcript']);

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
  if (SEQUENCED.has(record.type) && (typeof record.callId !== 'string' || !Number.isInteger(record.seq)))
    return undefined;
  if ((record.type === 'subscribed' || record.type === 'partial') && typeof record.callId !== 'string')
    return undefined;
  return raw as ServerMessage;
}
