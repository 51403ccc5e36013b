// What the views need from the relay connection; implemented over the shared client library (relay-connection.ts).
// Token renewal: the session refreshes the token (session-renewal.ts) and calls `reauthenticate`, which sends it
// in-band (`auth`); the client library also asks `getToken` again shortly before the current token's expiry.
import type { Call } from '../../core/domain/call.ts';
import type { EventMessage, LiveUtterance, PartialMessage } from '../../core/protocol/relay-messages.ts';
import type { CampaignDriverView, CampaignSummary } from '../../core/protocol/rest-api.ts';

/** `open`: connected and authenticated; `reconnecting`: lost, retrying with backoff; `closed`: terminal. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Why the connection is not open, in words, when known. */
  detail?: string;
}

export interface CallListHandlers {
  /** The org's recent calls (sent again after every reconnect). */
  snapshot(calls: Call[]): void;
  updated(call: Call): void;
  /** Latest words of calls that spoke, partials included (coalesced by the relay); giving it asks for them. */
  utterances?(utterances: LiveUtterance[]): void;
}

export interface CallStreamHandlers {
  /** The call as of `call.lastSeq`; after a reconnect only events past what was delivered follow. */
  subscribed(call: Call): void;
  /** Durable events: each exactly once, in seq order, across reconnects. */
  event(event: EventMessage): void;
  partial(partial: PartialMessage): void;
  /** A refusal for this call (`forbidden`, `not_found`, …), in words. */
  error(code: string, message: string): void;
}

export interface CampaignStreamHandlers {
  /** The campaign and all its drivers (sent again after every reconnect). */
  snapshot(campaign: CampaignSummary, drivers: CampaignDriverView[]): void;
  /** A later change: the campaign's new counts/status, and the driver that changed, if one did. */
  updated(campaign: CampaignSummary, driver?: CampaignDriverView): void;
  /** A refusal for this campaign (`not_found`, …), in words. */
  error(code: string, message: string): void;
}

export interface LiveSource {
  status(): ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  subscribeCalls(handlers: CallListHandlers): () => void;
  subscribeCall(callId: string, handlers: CallStreamHandlers): () => void;
  /** Live progress of one campaign of the signed-in org. */
  subscribeCampaign(campaignId: string, handlers: CampaignStreamHandlers): () => void;
  /** A fresh token is stored: hand it to the open connection (no reconnect). */
  reauthenticate(): void;
  close(): void;
}
