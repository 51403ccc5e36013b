// The attention queue: what needs a human after a call or a campaign attempt, until a dispatcher resolves it.

export const ATTENTION_REASONS = ['not_acknowledged', 'escalation', 'opted_out', 'unreachable'] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

export interface AttentionItem {
  /** Deterministic per (org, reason, subject): opening it twice finds the first. */
  attentionId: string;
  orgId: string;
  reason: AttentionReason;
  driverId: string;
  driverName: string;
  /** The call(s) behind it, oldest first. */
  callIds: string[];
  campaignId?: string;
  /** One line for the list (e.g. the call's summary). No phone numbers. */
  summary?: string;
  openedAt: string;
  resolved?: { by: string; at: string; note: string };
}

export const ATTENTION_LIMITS = { noteMax: 1000 } as const;
