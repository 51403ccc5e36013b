// Outbound webhooks in a dispatcher's words: event types, endpoint and delivery states, one delivery's last attempt.
import type {
  DeliveredEventType,
  PublicWebhookEndpoint,
  WebhookAttempt,
  WebhookDeliveryStatus,
  WebhookEventType,
} from '../../core/domain/webhook.ts';

const EVENT_LABELS: Record<DeliveredEventType, { label: string; hint: string }> = {
  'call.completed': {
    label: 'Call completed',
    hint: 'A driver was reached: summary, acknowledged, ETA, photos promised, escalation.',
  },
  'call.failed': {
    label: 'Call failed',
    hint: 'No answer, busy, voicemail or a failed call, with the reason.',
  },
  'call.needs_attention': { label: 'Needs attention', hint: 'A driver needs a dispatcher to follow up.' },
  'campaign.completed': {
    label: 'Campaign completed',
    hint: 'Every driver of a campaign is done, with counts.',
  },
  'driver.opted_out': { label: 'Driver opted out', hint: 'A driver asked not to be called again.' },
  'webhook.test': { label: 'Test event', hint: 'Sent from this page to check the receiver.' },
};

/** "Call completed" for `call.completed`; an unknown type (a newer server) is shown as sent. */
export function eventLabel(type: string): string {
  return (EVENT_LABELS as Record<string, { label: string } | undefined>)[type]?.label ?? type;
}

/** One sentence on what an event type reports (the hint under its checkbox). */
export function eventHint(type: WebhookEventType): string {
  return EVENT_LABELS[type].hint;
}

const DELIVERY_LABELS: Record<WebhookDeliveryStatus, string> = {
  pending: 'Pending',
  succeeded: 'Delivered',
  failed: 'Failed',
};

export function deliveryStatusLabel(status: WebhookDeliveryStatus): string {
  return DELIVERY_LABELS[status];
}

/** "Active", or "Disabled: <reason>" — the reason is what an admin needs to fix the receiver. */
export function endpointStatusText(
  endpoint: Pick<PublicWebhookEndpoint, 'status' | 'disabledReason'>,
): string {
  if (endpoint.status === 'active') return 'Active';
  return endpoint.disabledReason ? `Disabled: ${endpoint.disabledReason}` : 'Disabled';
}

/** The attempt that decides what the log row shows: the latest one (attempts are kept oldest first). */
export function lastAttempt(attempts: readonly WebhookAttempt[]): WebhookAttempt | undefined {
  return attempts[attempts.length - 1];
}

/** `200`, or `—` when the receiver never answered (timeout, connection refused). */
export function responseText(attempt: WebhookAttempt | undefined): string {
  return attempt?.statusCode === undefined ? '—' : String(attempt.statusCode);
}

/** `85 ms`, `12.3 s`. */
export function latencyText(attempt: WebhookAttempt | undefined): string {
  if (!attempt) return '—';
  const ms = Math.max(0, Math.round(attempt.latencyMs));
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
