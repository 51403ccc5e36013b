// Audit entries in a dispatcher's words: who acted and what they did ("Dispatcher usr_1 paused the campaign").
import type { AuditEntry } from '../../core/domain/audit.ts';
import type { CallStatus } from '../../core/domain/call.ts';
import { statusLabel } from './format.ts';

const WEBHOOK_LABELS = {
  twilio_status: 'Twilio status callback',
  elevenlabs_post_call: 'ElevenLabs post-call webhook',
  elevenlabs_initiation_failure: 'ElevenLabs initiation-failure webhook',
} as const;

/** Who acted: `Admin usr_…`, `Dispatcher usr_…`, `Twilio`, `ElevenLabs`, `callrelay`. */
export function auditActorLabel(entry: AuditEntry): string {
  const { actor } = entry;
  if (actor.kind === 'provider')
    return actor.id === 'twilio' ? 'Twilio' : actor.id === 'elevenlabs' ? 'ElevenLabs' : actor.id;
  if (actor.kind === 'system') return 'callrelay';
  // User ids are long and random: the start tells users apart on one call; the full id is in the title.
  const short = actor.id.length > 12 ? `${actor.id.slice(0, 10)}…` : actor.id;
  return `${actor.role === 'admin' ? 'Admin' : 'Dispatcher'} ${short}`;
}

/** What happened, as a short sentence fragment. */
export function auditActionLabel(entry: AuditEntry): string {
  switch (entry.action) {
    case 'auth.signed_in':
      return 'signed in';
    case 'call.triggered':
      return 'triggered the call';
    case 'call.taken_over':
      return 'took the call over';
    case 'call.ended':
      return 'ended the call';
    case 'call.status_changed': {
      const { from, to, webhook } = entry.details;
      const move = from ? `${status(from)} → ${status(to)}` : `→ ${status(to)}`;
      return `${move} (${WEBHOOK_LABELS[webhook]})`;
    }
    case 'call.transcript_received':
      return `sent the post-call transcript (${entry.details.turns} turns)`;
    case 'campaign.created':
      return `created the campaign (${entry.details.drivers} drivers)`;
    case 'campaign.paused':
      return 'paused the campaign';
    case 'campaign.resumed':
      return 'resumed the campaign';
    case 'campaign.canceled':
      return 'canceled the campaign';
    case 'attention.resolved':
      return 'resolved the attention item';
    case 'suppression.added':
      return 'added a number to the suppression list';
    case 'suppression.removed':
      return 'removed a number from the suppression list';
    case 'webhook_endpoint.created':
      return `created a webhook endpoint (${entry.details.host})`;
    case 'webhook_endpoint.deleted':
      return 'deleted a webhook endpoint';
    case 'webhook_endpoint.secret_rotated':
      return 'rotated a webhook secret';
    case 'webhook_endpoint.delivery_retried':
      return 'retried a webhook delivery';
    case 'webhook_endpoint.test_sent':
      return 'sent a test webhook';
  }
}

function status(value: CallStatus): string {
  return statusLabel(value);
}
