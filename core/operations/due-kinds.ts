// The kinds of due work callrelay schedules, and how each names its item: one durable schedule for everything.

export const DUE_KINDS = {
  /** One campaign driver's next step (a dial in its window, a retry, or a check of its call in flight). */
  campaignDriver: 'campaign_driver',
  /** A single call's dial, due if the process that dialed it died before the provider confirmed it. */
  callDial: 'call_dial',
  /** Fetch the post-call transcript of a call whose webhook did not arrive. */
  callReconcile: 'call_reconcile',
  /** One outbound webhook delivery attempt. */
  webhookDelivery: 'webhook_delivery',
} as const;
export type DueKind = (typeof DUE_KINDS)[keyof typeof DUE_KINDS];

export function campaignDriverKey(campaignId: string, driverId: string): string {
  return `campaign:${campaignId}:driver:${driverId}`;
}

export function callDialKey(callId: string): string {
  return `call:${callId}:dial`;
}

export function callReconcileKey(callId: string): string {
  return `call:${callId}:reconcile`;
}

export function webhookDeliveryKey(deliveryId: string): string {
  return `webhook:${deliveryId}`;
}

/** Payload of a `campaign_driver` item. */
export interface CampaignDriverWork {
  campaignId: string;
  driverId: string;
}

/** Payload of `call_dial` and `call_reconcile` items. */
export interface CallWork {
  callId: string;
}

/** Payload of a `webhook_delivery` item. */
export interface WebhookDeliveryWork {
  orgId: string;
  endpointId: string;
  deliveryId: string;
  /** Index into the retry delays for the wait after this attempt fails. */
  step: number;
  /** A dispatcher's retry or test of a finished delivery: one attempt, no automatic retries after it. */
  manual?: boolean;
}
