// Outbound webhooks: the events callrelay pushes to customer endpoints, the endpoints, and their delivery log.
import type { CallStatus, Trigger } from './call.ts';
import type { AttemptFailure, CampaignLink, DriverCounts } from './campaign.ts';
import type { AttentionReason } from './attention.ts';

/** Event types an endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'call.completed',
  'call.failed',
  'call.needs_attention',
  'campaign.completed',
  'driver.opted_out',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by `POST /webhook-endpoints/{id}/test`, to that endpoint whatever it subscribed to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
export type DeliveredEventType = WebhookEventType | typeof WEBHOOK_TEST_EVENT;

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

export const WEBHOOK_LIMITS = {
  /** Endpoints per org: each event fans out to every subscribed one. */
  endpointsPerOrg: 20,
  urlMax: 2048,
  descriptionMax: 500,
  /** Request bodies are bounded; an event larger than this (a very long summary) is cut to fit. */
  bodyMaxBytes: 256 * 1024,
  /** Response bodies are read up to this much (for the log's error text), then dropped. */
  responseMaxBytes: 4 * 1024,
  /** Attempts kept in one delivery's log (the oldest are dropped first). */
  attemptsKept: 50,
  /** Concurrent deliveries to one endpoint per worker; more wait their turn so a slow endpoint holds few slots. */
  inFlightPerEndpoint: 2,
  /** Delivery log pages. */
  deliveriesPageDefault: 20,
  deliveriesPageMax: 100,
} as const;

/** What the receiver gets: `{ type, timestamp, data }` (Standard Webhooks payload shape). */
export interface WebhookPayload {
  type: DeliveredEventType;
  /** ISO time the event happened. */
  timestamp: string;
  data: WebhookEventData;
}

export interface WebhookDriver {
  id: string;
  name: string;
  /** E.164, only to endpoints created with `includePhoneNumbers: true`. */
  phoneNumber?: string;
}

export interface CallCompletedData {
  callId: string;
  conversationId?: string;
  driver?: WebhookDriver;
  triggers: Trigger[];
  campaign?: CampaignLink;
  answeredAt?: string;
  endedAt?: string;
  durationSecs?: number;
  outcome: {
    /** Null when the agent could not tell. */
    acknowledged: boolean | null;
    eta?: string;
    photosPromised?: boolean;
    escalationNeeded?: boolean;
    optOut?: boolean;
    summary?: string;
    /** The agent's own evaluation of the call (`success`, `failure`, `unknown`). */
    evaluation?: string;
  };
}

export interface CallFailedData {
  callId: string;
  driver?: WebhookDriver;
  triggers: Trigger[];
  campaign?: CampaignLink;
  status: CallStatus;
  reason: AttemptFailure;
  /** The provider's reason text, when it gave one. */
  detail?: string;
  endedAt?: string;
}

export interface NeedsAttentionData {
  attentionId: string;
  reason: AttentionReason;
  driverId: string;
  driverName: string;
  callIds: string[];
  campaignId?: string;
  summary?: string;
  openedAt: string;
}

export interface CampaignCompletedData {
  campaignId: string;
  name: string;
  driverCount: number;
  counts: DriverCounts;
  completedAt: string;
}

export interface DriverOptedOutData {
  driverId: string;
  driverName: string;
  callId: string;
  campaignId?: string;
  /** E.164, only to endpoints created with `includePhoneNumbers: true`. */
  phoneNumber?: string;
  at: string;
}

export interface TestData {
  endpointId: string;
  message: string;
}

export type WebhookEventData =
  | CallCompletedData
  | CallFailedData
  | NeedsAttentionData
  | CampaignCompletedData
  | DriverOptedOutData
  | TestData;

/** A customer endpoint. `secrets` never leave the server except once, at creation or rotation. */
export interface WebhookEndpoint {
  /** `ep_…` */
  id: string;
  orgId: string;
  url: string;
  events: WebhookEventType[];
  description?: string;
  includePhoneNumbers: boolean;
  /** `whsec_…`: `current` always signs; `previous` signs too until `expiresAt` (rotation grace). */
  secrets: { current: string; previous?: { secret: string; expiresAt: string } };
  status: 'active' | 'disabled';
  disabledReason?: string;
  disabledAt?: string;
  /** Start of the current run of failed attempts (cleared by a success); disables the endpoint when too old. */
  failingSince?: string;
  createdAt: string;
}

/** The endpoint as the API shows it: no secrets. */
export type PublicWebhookEndpoint = Omit<WebhookEndpoint, 'secrets' | 'orgId'>;

export function publicEndpoint(endpoint: WebhookEndpoint): PublicWebhookEndpoint {
  const { secrets: _secrets, orgId: _org, ...rest } = endpoint;
  return rest;
}

/** The secrets that sign at `now`: the current one, and the previous one during its grace period. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  const { current, previous } = endpoint.secrets;
  return previous && Date.parse(previous.expiresAt) > now.getTime() ? [current, previous.secret] : [current];
}

export interface WebhookAttempt {
  /** ISO time the attempt started (its `webhook-timestamp`). */
  at: string;
  /** The receiver's status, when it answered. */
  statusCode?: number;
  latencyMs: number;
  /** Why it failed (non-2xx, timeout, connection error, refused address); absent on success. */
  error?: string;
  /** True when a dispatcher asked for it (retry, test) rather than the schedule. */
  manual?: boolean;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event to one endpoint, with every attempt. `deliveryId` is the `webhook-id` on each attempt. */
export interface WebhookDelivery {
  /** `msg_…`, derived from (endpoint, event): the same event never makes two deliveries to one endpoint. */
  deliveryId: string;
  endpointId: string;
  orgId: string;
  eventType: DeliveredEventType;
  /** The exact JSON body sent on every attempt (≤ `WEBHOOK_LIMITS.bodyMaxBytes`). */
  body: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookAttempt[];
  /** ISO, while `pending`: when the next attempt is due. */
  nextAttemptAt?: string;
  createdAt: string;
}

/**
 * The endpoint after a rotation to `secret`: the old current secret keeps signing for `graceSecs` (receivers switch
 * over meanwhile); an older previous secret is dropped.
 */
export function rotatedEndpoint(
  endpoint: WebhookEndpoint,
  secret: string,
  now: Date,
  graceSecs: number,
): WebhookEndpoint {
  const expiresAt = new Date(now.getTime() + graceSecs * 1000).toISOString();
  return {
    ...endpoint,
    secrets: {
      current: secret,
      ...(graceSecs > 0 ? { previous: { secret: endpoint.secrets.current, expiresAt } } : {}),
    },
  };
}
