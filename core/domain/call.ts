// The call: who is being called, why, by which provider ids, and its lifecycle status (which never moves backwards).

export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
]);

const STATUS_RANK: Record<CallStatus, number> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  'in-progress': 3,
  completed: 4,
  busy: 4,
  'no-answer': 4,
  failed: 4,
  canceled: 4,
};

export function isCallStatus(value: unknown): value is CallStatus {
  return typeof value === 'string' && (CALL_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: CallStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** A status change is accepted only if it moves forward; a terminal status is final. */
export function canTransition(from: CallStatus, to: CallStatus): boolean {
  if (isTerminal(from)) return false;
  return STATUS_RANK[to] > STATUS_RANK[from];
}

export type TriggerType = 'violation' | 'reminder';

export interface Trigger {
  type: TriggerType;
  description: string;
}

export interface Driver {
  id: string;
  name: string;
  /** E.164. Never logged. */
  phoneNumber?: string;
  /** IANA time zone of the driver (e.g. `America/Chicago`), when the caller gave one. */
  timezone?: string;
}

export interface CallOutcome {
  summary?: string;
  callSuccessful?: string;
  /** Data-collection results by id (e.g. acknowledged, eta). */
  dataCollection?: Record<string, unknown>;
  /** ElevenLabs `call_result` (`answered`, `voicemail`, …) and `termination_reason`, when it sent them. */
  callResult?: string;
  terminationReason?: string;
}

/** Link from a call to the campaign attempt that placed it (on the call record; see `campaign.ts`). */
export interface CampaignLink {
  campaignId: string;
  driverId: string;
  /** 1-based attempt number. */
  attempt: number;
}

/** What a concluded call came to, as one value: reached and acknowledged or not, or not reached at all. */
export const FACET_OUTCOMES = ['acknowledged', 'not_acknowledged', 'unreachable'] as const;
export type FacetOutcome = (typeof FACET_OUTCOMES)[number];

/** A call's conclusion as flat scalars a store can filter on; derived by `call-facets.ts`, kept by the reducer. */
export interface CallFacets {
  /** `not_acknowledged` also covers a reached driver whose acknowledgment the agent could not tell. */
  outcome: FacetOutcome;
  escalation: boolean;
  optedOut: boolean;
}

export interface Call {
  callId: string;
  orgId: string;
  driver?: Driver;
  triggers: Trigger[];
  callSid?: string;
  conversationId?: string;
  status: CallStatus;
  /** Why the call failed or ended early, when known. */
  failureReason?: string;
  /** ISO timestamps. */
  createdAt: string;
  updatedAt: string;
  answeredAt?: string;
  endedAt?: string;
  durationSecs?: number;
  outcome?: CallOutcome;
  /** Highest durable event seq of this call (0 = none yet). */
  lastSeq: number;
  /** The campaign attempt that placed this call, when a campaign did. */
  campaign?: CampaignLink;
  /** The call's conclusion as filterable scalars (`call-facets.ts`), once it has one; kept by the reducer. */
  facets?: CallFacets;
  /**
   * Transcript search index (`search-tokens.ts`): distinct normalized words of its final segments and post-call
   * transcript, capped; kept by the reducer. Internal: the API strips it from call views.
   */
  searchTokens?: string[];
  /** Set once a dispatcher took the call over (`POST /calls/{id}/takeover`): who (user id, email) and when. */
  takenOver?: InterventionMark;
  /** Set once a dispatcher asked to end the call (`POST /calls/{id}/end`). */
  endRequested?: InterventionMark;
}

/** Who acted on a live call and when (ISO). */
export interface InterventionMark {
  by: string;
  byEmail?: string;
  at: string;
}

/** What is known when a call record is first created. */
export interface NewCall {
  callId: string;
  orgId: string;
  driver?: Driver;
  triggers?: Trigger[];
  callSid?: string;
  conversationId?: string;
  status?: CallStatus;
  campaign?: CampaignLink;
}

export function newCallRecord(input: NewCall, now: string): Call {
  return {
    callId: input.callId,
    orgId: input.orgId,
    ...(input.driver ? { driver: input.driver } : {}),
    triggers: input.triggers ?? [],
    ...(input.callSid ? { callSid: input.callSid } : {}),
    ...(input.conversationId ? { conversationId: input.conversationId } : {}),
    status: input.status ?? 'queued',
    ...(input.campaign ? { campaign: input.campaign } : {}),
    createdAt: now,
    updatedAt: now,
    lastSeq: 0,
  };
}

/** A call as shown to subscribers: no phone number, no search index. */
export function publicCall(call: Call): Call {
  const { searchTokens: _tokens, ...shown } = call;
  if (!shown.driver?.phoneNumber) return shown;
  const { phoneNumber: _omit, ...driver } = shown.driver;
  return { ...shown, driver };
}

/**
 * Sort comparator of call lists, the order every store pages in and every view shows: newest `createdAt` first,
 * ties by `callId` descending (code-unit order, as Firestore orders strings), so equal timestamps still sort stably.
 */
export function newestFirst(
  a: Pick<Call, 'createdAt' | 'callId'>,
  b: Pick<Call, 'createdAt' | 'callId'>,
): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.callId < b.callId ? 1 : a.callId > b.callId ? -1 : 0;
}
