// Triggers an outbound driver call: creates the call record, records `queued`, dials in the configured mode.
import { createHash, randomUUID } from 'node:crypto';
import { isTerminal, type Call, type Driver, type Trigger } from '../domain/call.ts';
import type { CampaignLink } from '../domain/campaign.ts';
import { dedupeKeys } from '../domain/dedupe-key.ts';
import { dynamicVariablesFor } from '../domain/dynamic-variables.ts';
import type { Clock } from '../support/clock.ts';
import { AppError, isAppError } from '../support/errors.ts';
import type { Logger } from '../support/log.ts';
import type { AppendResult, CallStore } from '../ports/call-store.ts';
import type { DueWork } from '../ports/due-work.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { SuppressionList } from '../ports/suppression-list.ts';
import type { Telephony } from '../ports/telephony.ts';
import type { VoiceAgent } from '../ports/voice-agent.ts';
import { callDialKey, DUE_KINDS, type CallWork } from './due-kinds.ts';
import { recordCallEvent } from './record-call-event.ts';
import type { TranscriptionStarter } from './transcription-starter.ts';

/**
 * `register`: callrelay places the call with Twilio and hands it to the agent from the voice webhook (full status
 * lifecycle, live transcripts from TwiML). `elevenlabs`: ElevenLabs places it; transcription is started over REST.
 */
export const DIAL_MODES = ['register', 'elevenlabs'] as const;
export type DialMode = (typeof DIAL_MODES)[number];

export interface TriggerCallInput {
  orgId: string;
  /** With `phoneNumber` (E.164) set. */
  driver: Driver & { phoneNumber: string };
  triggers: Trigger[];
  /** Caller-chosen key: the same key within an org always names the same call, which is dialed at most once. */
  idempotencyKey?: string;
  /** The campaign attempt placing this call (stored on the call). */
  campaign?: CampaignLink;
}

/** What {@link CallDialer.recover} found and did about a dial nobody confirmed. */
export type RecoveryOutcome =
  /** The call has provider ids or ended: nothing to do. */
  | 'confirmed'
  /** The provider had placed it: its CallSid is now linked (no second dial). */
  | 'linked'
  /** It had never reached the provider: dialed now. */
  | 'dialed'
  /** Dialing now failed; the call is recorded `failed`. */
  | 'failed'
  /** No such call. */
  | 'gone';

export interface TriggerCallResult {
  call: Call;
  /** True when the idempotency key named an existing call: nothing was dialed. */
  replayed: boolean;
}

export interface CallDialerDeps {
  mode: DialMode;
  store: CallStore;
  bus: EventBus;
  logger: Logger;
  telephony: Telephony;
  agent: VoiceAgent;
  transcriptions: TranscriptionStarter;
  /** Where the recovery item of each dial is scheduled (see {@link CallDialer.recover}). */
  dueWork: DueWork;
  /** Numbers never dialed. */
  suppressions: SuppressionList;
  clock: Clock;
  /** A dial not confirmed by the provider after this long is recovered (`DIAL_GRACE_SECS`). */
  dialGraceSecs: number;
}

/** The provider's call list is read from this long before the call was created: clocks differ a little. */
const FIND_SINCE_SLACK_MS = 60_000;

export class CallDialer {
  constructor(private readonly deps: CallDialerDeps) {}

  /**
   * Creates the call (or finds the one the idempotency key names), records and publishes `queued`, and dials once.
   * Whoever stores the call's `queued` event owns the dial: that append is idempotent, so of concurrent or retried
   * requests with one key exactly one dials, and a retry after a failure *before* `queued` was stored still dials.
   * Before dialing, a `call_dial` item is scheduled `dialGraceSecs` ahead and canceled once the provider answered:
   * if this process dies mid-dial, {@link recover} finishes the dial from the schedule.
   * @throws AppError `suppressed` when the number is on the org's suppression list (nothing is created or dialed);
   * `conflict` when the key was used for a different request; `provider_error` when dialing failed, after
   * recording a `failed` status with the reason on the call.
   */
  async trigger(input: TriggerCallInput): Promise<TriggerCallResult> {
    const suppressed = await this.deps.suppressions.find(input.orgId, input.driver.phoneNumber);
    if (suppressed) {
      throw new AppError('suppressed', 'this number is on the suppression list and is never dialed', {
        details: { suppressionId: suppressed.suppressionId },
      });
    }
    const callId = input.idempotencyKey ? idempotentCallId(input.orgId, input.idempotencyKey) : newCallId();
    const { call, created } = await this.deps.store.createCall({
      callId,
      orgId: input.orgId,
      driver: input.driver,
      triggers: input.triggers,
      ...(input.campaign ? { campaign: input.campaign } : {}),
    });
    if (!created && !sameRequest(call, input)) {
      throw new AppError('conflict', 'Idempotency-Key was already used with a different request');
    }
    // Scheduled before `queued` is stored, so no owner of a dial is ever without its recovery item.
    if (created) await this.scheduleRecovery(callId);
    const claim = await this.claimDial(callId);
    if (claim.outcome !== 'appended') return { call: claim.call, replayed: true };
    if (!created) await this.scheduleRecovery(callId);
    const dialed = await this.dial(claim.call);
    if (!dialed.ok) throw dialed.error;
    return { call: dialed.call, replayed: false };
  }

  /**
   * Finishes a dial that was claimed but never confirmed (the `call_dial` item came due): unclaimed → dial now;
   * claimed by someone who never confirmed it → ask the provider for calls to the number since the call was
   * created and link one that no other call owns; dial only if there is none. Never two dials for one call.
   */
  async recover(callId: string): Promise<RecoveryOutcome> {
    const call = await this.deps.store.getCall(callId);
    if (!call) return 'gone';
    if (isConfirmed(call)) return 'confirmed';
    const claim = await this.claimDial(callId);
    const log = this.deps.logger.child({ callId, mode: this.deps.mode });
    if (claim.outcome === 'appended') {
      log.warn('dial was never claimed; dialing now');
      return (await this.dial(claim.call)).ok ? 'dialed' : 'failed';
    }
    if (isConfirmed(claim.call)) return 'confirmed';
    const since = new Date(Date.parse(call.createdAt) - FIND_SINCE_SLACK_MS);
    for (const found of await this.deps.telephony.findCalls({ toNumber: phoneOf(call), since })) {
      const owner = await this.deps.store.listCalls(call.orgId, { callSid: found.callSid }, { limit: 1 });
      if (owner.calls.length > 0) continue;
      await this.deps.store.linkProviderIds(callId, { callSid: found.callSid });
      if (this.deps.mode === 'elevenlabs') this.deps.transcriptions.start(callId, found.callSid);
      await this.deps.dueWork.cancel(callDialKey(callId));
      log.warn('an unconfirmed dial had reached the provider; linked', { callSid: found.callSid });
      return 'linked';
    }
    log.warn('an unconfirmed dial never reached the provider; dialing now');
    return (await this.dial(claim.call)).ok ? 'dialed' : 'failed';
  }

  /** Stores `queued` once per call: whoever appends it owns the dial. */
  private claimDial(callId: string): Promise<AppendResult> {
    return recordCallEvent(
      this.deps,
      callId,
      {
        dedupeKey: dedupeKeys.internal(callId, 'queued'),
        body: { kind: 'call_status', status: 'queued', source: 'api' },
      },
      'log',
    );
  }

  private async scheduleRecovery(callId: string): Promise<void> {
    const now = this.deps.clock.now();
    const payload: CallWork = { callId };
    await this.deps.dueWork.schedule({
      key: callDialKey(callId),
      kind: DUE_KINDS.callDial,
      dueAt: new Date(now.getTime() + this.deps.dialGraceSecs * 1000),
      payload: JSON.stringify(payload),
      now,
    });
  }

  /** Dials, links the provider ids (or records `failed`), then drops the recovery item. */
  private async dial(call: Call): Promise<{ ok: true; call: Call } | { ok: false; error: AppError }> {
    const log = this.deps.logger.child({ callId: call.callId, mode: this.deps.mode });
    try {
      const linked =
        this.deps.mode === 'register' ? await this.dialRegister(call) : await this.dialElevenLabs(call);
      log.info('call dialed', { callSid: linked.callSid, conversationId: linked.conversationId });
      await this.dropRecovery(call.callId);
      return { ok: true, call: linked };
    } catch (err) {
      if (!isAppError(err) || err.code !== 'provider_error') throw err;
      log.warn('dial failed', { reason: err.message });
      const failed = await recordCallEvent(
        this.deps,
        call.callId,
        {
          dedupeKey: dedupeKeys.internal(call.callId, 'dial_failed'),
          body: { kind: 'call_status', status: 'failed', source: 'api', reason: err.message },
        },
        'log',
      );
      await this.dropRecovery(call.callId);
      return {
        ok: false,
        error: new AppError('provider_error', err.message, {
          details: { ...detailsOf(err), callId: failed.call.callId },
        }),
      };
    }
  }

  /** Best effort: an item left behind finds the call confirmed and finishes at once. */
  private async dropRecovery(callId: string): Promise<void> {
    await this.deps.dueWork.cancel(callDialKey(callId)).catch((err: unknown) => {
      this.deps.logger.warn('could not drop the dial recovery item; it will find the call confirmed', {
        callId,
        error: err,
      });
    });
  }

  private async dialRegister(call: Call): Promise<Call> {
    const { callSid } = await this.deps.telephony.placeCall({ callId: call.callId, toNumber: phoneOf(call) });
    return this.deps.store.linkProviderIds(call.callId, { callSid });
  }

  private async dialElevenLabs(call: Call): Promise<Call> {
    const { callSid, conversationId } = await this.deps.agent.outboundCall({
      toNumber: phoneOf(call),
      dynamicVariables: dynamicVariablesFor(call),
    });
    const linked = await this.deps.store.linkProviderIds(call.callId, { callSid, conversationId });
    this.deps.transcriptions.start(call.callId, callSid);
    return linked;
  }
}

/** `call_` + 32 hex of sha256(org, key): stable per org, so a retry finds the call; orgs never collide. */
export function idempotentCallId(orgId: string, key: string): string {
  return 'call_' + createHash('sha256').update(`${orgId}\n${key}`).digest('hex').slice(0, 32);
}

function newCallId(): string {
  return 'call_' + randomUUID().replaceAll('-', '');
}

/** The provider knows the call (ids linked) or it is over. */
function isConfirmed(call: Call): boolean {
  return Boolean(call.callSid || call.conversationId) || isTerminal(call.status);
}

function phoneOf(call: Call): string {
  const phone = call.driver?.phoneNumber;
  if (!phone) throw new TypeError(`call ${call.callId} has no phone number to dial`);
  return phone;
}

function sameRequest(call: Call, input: TriggerCallInput): boolean {
  const d = call.driver;
  return (
    d?.id === input.driver.id &&
    d.name === input.driver.name &&
    d.phoneNumber === input.driver.phoneNumber &&
    d.timezone === input.driver.timezone &&
    call.triggers.length === input.triggers.length &&
    call.triggers.every(
      (t, i) => t.type === input.triggers[i]?.type && t.description === input.triggers[i]?.description,
    )
  );
}

function detailsOf(err: AppError): Record<string, unknown> {
  return typeof err.details === 'object' && err.details !== null
    ? (err.details as Record<string, unknown>)
    : {};
}
