// The suppression list: numbers an org must never dial (the driver asked not to be called, or a dispatcher added it).

export const SUPPRESSION_REASONS = ['opt_out', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface Suppression {
  /** Deterministic per (org, number). */
  suppressionId: string;
  orgId: string;
  /** E.164. Shown to the org's dispatchers; never logged, never on the relay or in webhooks. */
  phoneNumber: string;
  reason: SuppressionReason;
  /** The call in which the driver opted out (reason `opt_out`). */
  callId?: string;
  driverId?: string;
  note?: string;
  /** Uid of the dispatcher, or `system` for an automatic opt-out. */
  createdBy: string;
  createdAt: string;
}
