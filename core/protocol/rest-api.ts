// The REST API's wire types: request bodies and response shapes of every route, as docs/openapi.yaml documents them.
import type { PublicWebhookEndpoint, WebhookDelivery, WebhookEventType } from '../domain/webhook.ts';
import type { Call, CallStatus, Trigger } from '../domain/call.ts';
import type { CallEvent, ConversationResult, TranscriptTurn } from '../domain/call-event.ts';
import type { AnalyticsDimension, AnalyticsFigures } from '../domain/analytics.ts';
import type { AttentionItem } from '../domain/attention.ts';
import type { AuditEntry } from '../domain/audit.ts';
import type { CallingWindow, Campaign, DriverOutcome, DriverState, RetryPolicy } from '../domain/campaign.ts';
import type { Suppression } from '../domain/suppression.ts';

export type { ErrorEnvelope } from '../support/errors.ts';

/** One invalid field of a `validation_failed` error (its `details` are a list of these). Never the value. */
export interface FieldProblem {
  /** Body path (`phoneNumber`, `violations.3.description`), `query.<name>`, `header.<Name>`, or `(body)`. */
  field: string;
  problem: string;
}

/** Body of `POST /auth/login`. */
export interface LoginRequest {
  email: string;
  password: string;
}

/** 200 of `POST /auth/login` and `POST /auth/refresh`: a signed dispatcher token. */
export interface TokenResponse {
  token: string;
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
}

/** 200 of `POST /relay/tickets`: a single-use ticket to open one relay socket (`?ticket=`). */
export interface RelayTicketResponse {
  ticket: string;
  /** ISO 8601; after it the ticket no longer opens a socket. */
  expiresAt: string;
}

/** Body of `POST /driver_data/call-elevenlabs`. */
export interface TriggerCallRequest {
  driverId: string;
  driverName: string;
  /** E.164. */
  phoneNumber: string;
  violations: Trigger[];
  /** IANA time zone of the driver. */
  timezone?: string;
}

/** 201 (new call) or 200 (replayed `Idempotency-Key`) of `POST /driver_data/call-elevenlabs`. */
export interface TriggerCallResponse {
  callId: string;
  /** Twilio CallSid; null when the dial failed. */
  callSid: string | null;
  /** ElevenLabs conversation id; null until known. */
  conversationId: string | null;
  status: CallStatus;
}

/** What a conversation fetch did: stored the transcript now, found it stored already, or nothing to store yet. */
export type Reconciled = 'stored' | 'already_stored' | 'not_final';

/** 200 of `POST /driver_data/conversations/{conversationId}/fetch`. */
export interface FetchConversationResponse {
  callId: string;
  conversationId: string;
  /** ElevenLabs conversation status (unknown values pass through). */
  status: string;
  transcript: TranscriptTurn[];
  analysis: {
    summary: string | null;
    callSuccessful: string | null;
    dataCollection: ConversationResult['dataCollection'];
  };
  reconciled: Reconciled;
}

/** 200 of `GET /calls`: newest first; `nextCursor` (absent on the last page) fetches the next, older page. */
export interface ListCallsResponse {
  calls: Call[];
  nextCursor?: string;
  /** With `q`: the page is short because the search's scan bound was reached; `nextCursor` continues it. */
  scanLimited?: true;
}

/** 200 of `GET /calls/{callId}`: the call itself (never its driver's phone number). */
export type GetCallResponse = Call;

/** 200 of `GET /calls/{callId}/events`: durable events by ascending seq. */
export interface CallEventsResponse {
  callId: string;
  /** The call's highest seq when the request started. */
  lastSeq: number;
  events: CallEvent[];
  /** Present when the page is full (more may follow): pass it as `afterSeq`. */
  nextAfterSeq?: number;
}

/** `POST /webhook-endpoints` body. */
export interface CreateWebhookEndpointRequest {
  url: string;
  events: WebhookEventType[];
  description?: string;
  /** Default false: events carry no phone numbers. */
  includePhoneNumbers?: boolean;
}

/** `POST /webhook-endpoints` answer: the endpoint and its signing secret, shown this once. */
export type CreateWebhookEndpointResponse = PublicWebhookEndpoint & { secret: string };

export interface ListWebhookEndpointsResponse {
  endpoints: PublicWebhookEndpoint[];
}

export interface RotateWebhookSecretResponse {
  secret: string;
  /** Until when the previous secret still signs (both signatures are sent meanwhile). */
  previousSecretExpiresAt: string;
}

/** One delivery in the log: what was sent (`payload`, the exact JSON body parsed) and every attempt. */
export type WebhookDeliveryView = Omit<WebhookDelivery, 'body' | 'orgId'> & { payload: unknown };

export interface ListWebhookDeliveriesResponse {
  deliveries: WebhookDeliveryView[];
  nextCursor?: string;
}

/** `POST …/retry` and `POST …/test` answers (202: the attempt runs in the background). */
export interface WebhookDeliveryAccepted {
  delivery: WebhookDeliveryView;
}

/** Body of `POST /campaigns`: the rules (defaults from `CAMPAIGN_DEFAULTS`) and the drivers to call. */
export interface CreateCampaignRequest {
  name: string;
  /** ISO 8601 with an offset (`Z` or `±hh:mm`); now when absent. */
  startAt?: string;
  callingWindow?: CallingWindow;
  retry?: RetryPolicy;
  maxConcurrentCalls?: number;
  /** Each row exactly as the body of `POST /driver_data/call-elevenlabs`. */
  drivers: TriggerCallRequest[];
}

/** A campaign without its drivers (list rows, and the head of `CampaignDetail`): never its org or request hash. */
export type CampaignSummary = Omit<Campaign, 'orgId' | 'requestHash'>;

/** One driver of a campaign as dispatchers see it: never the phone number. */
export interface CampaignDriverView {
  driverId: string;
  driverName: string;
  /** The driver's IANA zone (the org default when the request gave none): its calling window is local to it. */
  timezone: string;
  state: DriverState;
  attempts: number;
  nextAttemptAt?: string;
  callIds: string[];
  outcome?: DriverOutcome;
}

/** 201/200 of `POST /campaigns`, 200 of `GET /campaigns/{id}` and of pause/resume/cancel. */
export type CampaignDetail = CampaignSummary & { drivers: CampaignDriverView[] };

/** 200 of `GET /campaigns`: newest first. */
export interface ListCampaignsResponse {
  campaigns: CampaignSummary[];
  nextCursor?: string;
}

/** Body of `POST /suppressions`. */
export interface AddSuppressionRequest {
  /** E.164. */
  phoneNumber: string;
  note?: string;
}

/** 200 of `GET /suppressions`: newest first (the org's own list, so phone numbers are shown). */
export interface ListSuppressionsResponse {
  suppressions: Suppression[];
  nextCursor?: string;
}

/** 200 of `GET /attention`: newest first. */
export interface ListAttentionResponse {
  items: AttentionItem[];
  nextCursor?: string;
}

/** Body of `POST /attention/{id}/resolve`. */
export interface ResolveAttentionRequest {
  /** 1-1000 characters: what the dispatcher did. */
  note: string;
}

/** 200 of `GET /audit` and `GET /calls/{id}/audit`: newest first. */
export interface ListAuditResponse {
  entries: AuditEntry[];
  nextCursor?: string;
}

/** `POST /calls/{callId}/takeover` body (optional): the number to connect; default the dispatcher's profile number. */
export interface TakeoverRequest {
  /** E.164. Never logged or echoed. */
  phoneNumber?: string;
}

export type { AnalyticsFigures };

/** One row of `GET /analytics`: a group (a day, a trigger class, a campaign id or `none`) and its figures. */
export interface AnalyticsRow extends AnalyticsFigures {
  key: string;
}

/** 200 of `GET /analytics`: rows (days ascending and gap-free; other groups by calls dialed) and the range's totals. */
export interface AnalyticsResponse {
  from: string;
  to: string;
  groupBy: AnalyticsDimension;
  /** The IANA zone whose calendar days `from`, `to` and day rows are. */
  timeZone: string;
  rows: AnalyticsRow[];
  /** Every call and item of the range counted once (trigger classes overlap: their rows may sum to more). */
  totals: AnalyticsFigures;
}
