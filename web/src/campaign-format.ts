// Campaigns in words: campaign status and driver state labels, and times in the driver's own zone.
import type { CampaignStatus, DriverState } from '../../core/domain/campaign.ts';
import type { AttentionReason } from '../../core/domain/attention.ts';
import { h } from './dom.ts';

const CAMPAIGN_STATUS_LABELS: Record<CampaignStatus, string> = {
  scheduled: 'Scheduled',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  canceled: 'Canceled',
};

const DRIVER_STATE_LABELS: Record<DriverState, string> = {
  scheduled: 'Scheduled',
  calling: 'Calling',
  retry_scheduled: 'Retry scheduled',
  acknowledged: 'Acknowledged',
  not_acknowledged: 'Not acknowledged',
  unreachable: 'Unreachable',
  opted_out: 'Opted out',
  suppressed: 'Suppressed',
  canceled: 'Canceled',
};

const ATTENTION_REASON_LABELS: Record<AttentionReason, string> = {
  not_acknowledged: 'Not acknowledged',
  escalation: 'Escalation requested',
  opted_out: 'Opted out',
  unreachable: 'Unreachable',
};

export function campaignStatusLabel(status: CampaignStatus): string {
  return CAMPAIGN_STATUS_LABELS[status] ?? status;
}

export function driverStateLabel(state: DriverState): string {
  return DRIVER_STATE_LABELS[state] ?? state;
}

export function attentionReasonLabel(reason: AttentionReason): string {
  return ATTENTION_REASON_LABELS[reason] ?? reason;
}

/** A campaign status as a badge with its word (colour is never the only signal). */
export function campaignStatusBadge(status: CampaignStatus): HTMLSpanElement {
  return h(
    'span',
    { class: `badge badge-campaign-${status}`, 'data-campaign-status': status },
    campaignStatusLabel(status),
  );
}

/** A driver state as a badge with its word. */
export function driverStateBadge(state: DriverState): HTMLSpanElement {
  return h(
    'span',
    { class: `badge badge-driver-${state}`, 'data-driver-state': state },
    driverStateLabel(state),
  );
}

/**
 * `Nov 30, 8:00 AM CST`: an instant as the driver's wall clock shows it, with the zone's abbreviation (or its
 * offset, `GMT+1`, where the locale has no abbreviation). Empty for a missing or invalid time; the viewer's zone
 * when the driver has none or an unknown one.
 */
export function driverLocalTime(iso: string | undefined, timeZone: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const options: Intl.DateTimeFormatOptions = {
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat('en-US', { ...options, ...(timeZone ? { timeZone } : {}) }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-US', options).format(date);
  }
}

/** `3 min`, `2 h`, `4 d`: how long ago, coarse (for an attention item's age). */
export function age(iso: string, now: Date = new Date()): string {
  const secs = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(secs)) return '';
  if (secs < 60) return 'just now';
  if (secs < 3600) return `${Math.floor(secs / 60)} min`;
  if (secs < 86_400) return `${Math.floor(secs / 3600)} h`;
  return `${Math.floor(secs / 86_400)} d`;
}
