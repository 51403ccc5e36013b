// The relay wire protocol: client and server messages as discriminated unions (JSON text frames). See docs/PROTOCOL.md.
import type { Call } from '../domain/call.ts';
import type {
  CallEvent,
  CallEventBody,
  CallEventKind,
  PartialSegment,
  Speaker,
} from '../domain/call-event.ts';
import type { CampaignDriver } from '../domain/campaign.ts';
import type { CampaignSummary } from './rest-api.ts';
import type { ErrorCode } from '../support/errors.ts';

/** Path of the relay's WebSocket endpoint. */
export const RELAY_WS_PATH = '/ws/calls/transcriptions';

// ---- client → server ----

export interface SubscribeMessage {
  type: 'subscribe';
  callId: string;
  /** Deliver durable events with `seq > afterSeq`; absent = the whole history. */
  afterSeq?: number;
}
export interface UnsubscribeMessage {
  type: 'unsubscribe';
  callId: string;
}
export interface SubscribeCallsMessage {
  type: 'subscribe_calls';
  /** Also stream each call's latest utterance (partials included), coalesced: `utterances` frames. */
  utterances?: boolean;
}
/** Follow one campaign of the socket's org: a `campaign` snapshot, then `campaign_updated` frames. */
export interface SubscribeCampaignMessage {
  type: 'subscribe_campaign';
  campaignId: string;
}
export interface UnsubscribeCampaignMessage {
  type: 'unsubscribe_campaign';
  campaignId: string;
}
export interface AuthMessage {
  type: 'auth';
  token: string;
}
export interface PingMessage {
  type: 'ping';
}

/** Every frame a client may send. */
export type ClientMessage =
  | SubscribeMessage
  | UnsubscribeMessage
  | SubscribeCallsMessage
  | SubscribeCampaignMessage
  | UnsubscribeCampaignMessage
  | AuthMessage
  | PingMessage;

// ---- server → client ----

/** First message of a subscription: the backlog that follows ends at `lastSeq`, then live events continue. */
export interface SubscribedMessage {
  type: 'subscribed';
  callId: string;
  lastSeq: number;
  call: Call;
}

/** A durable event: `type` is the event kind; `callId` and gapless `seq` at the top level. */
export type EventMessage = {
  [K in CallEventKind]: Omit<Extract<CallEventBody, { kind: K }>, 'kind'> & {
    type: K;
    callId: string;
    seq: number;
    recordedAt: string;
  };
}[CallEventKind];

/** A volatile, non-final transcript fragment: no seq, never replayed. */
export type PartialMessage = Omit<PartialSegment, 'kind'> & { type: 'partial' };

export interface CallsMessage {
  type: 'calls';
  /** The org's most recent calls, newest first. */
  calls: Call[];
}
export interface CallUpdatedMessage {
  type: 'call_updated';
  /** The call after a durable event; `call.lastSeq` orders updates of one call. */
  call: Call;
}
/** The latest words of one call as the board shows them: a partial (`final: false`) or a stored segment. */
export interface LiveUtterance {
  callId: string;
  speaker: Speaker;
  text: string;
  final: boolean;
  /** The segment's seq when `final`. */
  seq?: number;
}
/**
 * The latest utterance of each org call that spoke since the previous frame (one entry per call, latest wins), at
 * most one frame per `RELAY_UTTERANCE_MS` per socket; only for `subscribe_calls {utterances: true}`.
 */
export interface UtterancesMessage {
  type: 'utterances';
  utterances: LiveUtterance[];
}
export interface UnsubscribedMessage {
  type: 'unsubscribed';
  callId: string;
}
/** A campaign driver on the relay: every stored field but the phone number; `updatedAt` orders its updates. */
export type LiveCampaignDriver = Omit<CampaignDriver, 'phoneNumber'>;

/** First message of a campaign subscription: the campaign and all its drivers (input order). */
export interface CampaignMessage {
  type: 'campaign';
  campaign: CampaignSummary;
  drivers: LiveCampaignDriver[];
}
/**
 * A later change of a followed campaign: its state now, and the driver that changed (absent for a campaign-only
 * change such as pause, resume, cancel or completion). Never older than what the socket was already sent.
 */
export interface CampaignUpdatedMessage {
  type: 'campaign_updated';
  campaign: CampaignSummary;
  driver?: LiveCampaignDriver;
}
export interface UnsubscribedCampaignMessage {
  type: 'unsubscribed_campaign';
  campaignId: string;
}
/** Sent on connect and after each accepted `auth`: who the socket acts as and when its token expires. */
export interface AuthenticatedMessage {
  type: 'authenticated';
  sub: string;
  org: string;
  /** Token expiry, unix seconds. */
  exp: number;
}
/** Error codes a client can receive in an `error` message (the connection stays open). */
export type RelayErrorCode = Extract<
  ErrorCode,
  'forbidden' | 'not_found' | 'bad_request' | 'too_many_subscriptions' | 'token_expired' | 'unavailable'
>;
export interface ErrorMessage {
  type: 'error';
  code: RelayErrorCode;
  message: string;
  callId?: string;
  /** The campaign a `subscribe_campaign` was refused or failed for. */
  campaignId?: string;
}
export interface PongMessage {
  type: 'pong';
}

/** Every frame the server may send. */
export type ServerMessage =
  | SubscribedMessage
  | EventMessage
  | PartialMessage
  | CallsMessage
  | CallUpdatedMessage
  | UtterancesMessage
  | UnsubscribedMessage
  | CampaignMessage
  | CampaignUpdatedMessage
  | UnsubscribedCampaignMessage
  | AuthenticatedMessage
  | ErrorMessage
  | PongMessage;
export type ServerMessageType = ServerMessage['type'];

/** The message for a stored event (the internal `dedupeKey` stays server-side). */
export function eventMessage(event: CallEvent): EventMessage {
  const { kind, dedupeKey: _dedupeKey, ...rest } = event;
  return { ...rest, type: kind } as EventMessage;
}

/** The message for a partial segment. */
export function partialMessage(partial: PartialSegment): PartialMessage {
  const { kind: _kind, ...rest } = partial;
  return { ...rest, type: 'partial' };
}
