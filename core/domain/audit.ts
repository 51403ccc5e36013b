// Audit trail entries: who (dispatcher, provider, system) did what to which call/campaign/item, when, under which request.
import type { CallStatus } from './call.ts';
import type { CampaignStatus } from './campaign.ts';
import type { Role } from './credentials.ts';

/** Who acted: a signed-in user (`dispatcher` kind, with their role), a provider webhook, or callrelay itself. */
export interface AuditActor {
  kind: 'dispatcher' | 'provider' | 'system';
  /** User id (`sub`), provider name (`twilio`, `elevenlabs`) or component name. */
  id: string;
  role?: Role;
}

/** What an entry is about; each id is a filter of `GET /audit`. */
export interface AuditTarget {
  callId?: string;
  campaignId?: string;
  attentionId?: string;
  suppressionId?: string;
  endpointId?: string;
}

/** The provider webhook that changed a call. */
export type ProviderWebhook = 'twilio_status' | 'elevenlabs_post_call' | 'elevenlabs_initiation_failure';

/**
 * The details each action records: small, typed, and never a secret, token, password, phone number or free text a
 * person typed (notes may hold numbers): ids, statuses, counts and host names only.
 */
export interface AuditDetailsByAction {
  'auth.signed_in': Record<string, never>;
  'call.triggered': { driverId: string; status: CallStatus };
  /** Whose phone the call went to: the dispatcher's profile number or one given in the request (never the number). */
  'call.taken_over': { phoneSource: 'profile' | 'request' };
  'call.ended': Record<string, never>;
  /** `from` is absent when the entry was written on a provider's redelivery (the status before is no longer known). */
  'call.status_changed': { webhook: ProviderWebhook; seq: number; from?: CallStatus; to: CallStatus };
  'call.transcript_received': { webhook: ProviderWebhook; seq: number; turns: number; callResult?: string };
  'campaign.created': { drivers: number };
  'campaign.paused': { status: CampaignStatus };
  'campaign.resumed': { status: CampaignStatus };
  'campaign.canceled': { status: CampaignStatus };
  'attention.resolved': { reason: string };
  'suppression.added': { reason: string };
  'suppression.removed': Record<string, never>;
  'webhook_endpoint.created': { host: string; events: string[] };
  'webhook_endpoint.deleted': Record<string, never>;
  'webhook_endpoint.secret_rotated': { previousSecretExpiresAt: string };
  'webhook_endpoint.delivery_retried': { deliveryId: string };
  'webhook_endpoint.test_sent': { deliveryId: string };
}

export type AuditAction = keyof AuditDetailsByAction;

/** Keyed by every action, so the compiler flags one added to `AuditDetailsByAction` but missing here. */
const ACTIONS: Record<AuditAction, true> = {
  'auth.signed_in': true,
  'call.triggered': true,
  'call.taken_over': true,
  'call.ended': true,
  'call.status_changed': true,
  'call.transcript_received': true,
  'campaign.created': true,
  'campaign.paused': true,
  'campaign.resumed': true,
  'campaign.canceled': true,
  'attention.resolved': true,
  'suppression.added': true,
  'suppression.removed': true,
  'webhook_endpoint.created': true,
  'webhook_endpoint.deleted': true,
  'webhook_endpoint.secret_rotated': true,
  'webhook_endpoint.delivery_retried': true,
  'webhook_endpoint.test_sent': true,
};

/** Every action, the list `GET /audit?action=` accepts. */
export const AUDIT_ACTIONS = Object.keys(ACTIONS) as AuditAction[];

/** One action with its typed details (a discriminated union over `action`). */
export type AuditEvent = {
  [A in AuditAction]: { action: A; target: AuditTarget; details: AuditDetailsByAction[A] };
}[AuditAction];

/** A stored entry: append-only, never changed or deleted by callrelay. */
export type AuditEntry = AuditEvent & {
  /** `aud_` + 24 hex; derived from the action's identity where one exists, so a retried write cannot duplicate. */
  auditId: string;
  orgId: string;
  /** ISO time of the action. */
  at: string;
  actor: AuditActor;
  /** The HTTP request that caused it (`X-Request-Id`), when there was one. */
  requestId?: string;
};

/** Limits of the audit trail's queries (`GET /audit`, `GET /calls/{id}/audit`). */
export const AUDIT_LIMITS = { pageDefault: 50, pageMax: 200 } as const;
