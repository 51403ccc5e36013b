// Triggers an outbound driver call: creates the call record, records `queued`, dials in the configured mode.
import { createHash, randomUUID } from 'node:crypto';
import type { Call, Driver, Trigger } from '../domain/call.ts';
import { dedupeKeys } from '../domain/dedupe-key.ts';
import { dynamicVariablesFor } from '../domain/dynamic-variables.ts';
import { AppError, isAppError } from '../support/errors.ts';
import type { Logger } from '../support/log.ts';
import type { CallStore } from '../ports/call-store.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Telephony } from '../ports/telephony.ts';
import type { VoiceAgent } from '../ports/voice-agent.ts';
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
}

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
}

export class CallDialer {
  constructor(private readonly deps: CallDialerDeps) {}

  /**
   * Creates the call (or finds the one the idempotency key names), records and publishes `queued`, and dials once.
   * Whoever stores the call's `queued` event owns the dial: that append is idempotent, so of concurrent or retried
   * requests with one key exactly one dials, and a retry after a failure *before* `queued` was stored still dials.
   * @throws AppError `conflict` when the key was used for a different request; `provider_error` when dialing failed,
   * after recording a `failed` status with the reason on the call.
   */
  async trigger(input: TriggerCallInput): Promise<TriggerCallResult> {
    const callId = input.idempotencyKey ? idempotentCallId(input.orgId, input.idempotencyKey) : newCallId();
    const { call, created } = await this.deps.store.createCall({
      callId,
      orgId: input.orgId,
      driver: input.driver,
      triggers: input.triggers,
    });
    if (!created && !sameRequest(call, input)) {
      throw new AppError('conflict', 'Idempotency-Key was already used with a different request');
    }
    const log = this.deps.logger.child({ callId, mode: this.deps.mode });
    const claim = await recordCallEvent(
      this.deps,
      callId,
      {
        dedupeKey: dedupeKeys.internal(callId, 'queued'),
        body: { kind: 'call_status', status: 'queued', source: 'api' },
      },
      'log',
    );
    if (claim.outcome !== 'appended') return { call: claim.call, replayed: true };
    try {
      const linked =
        this.deps.mode === 'register' ? await this.dialRegister(call) : await this.dialElevenLabs(call);
      log.info('call dialed', { callSid: linked.callSid, conversationId: linked.conversationId });
      return { call: linked, replayed: false };
    } catch (err) {
      if (!isAppError(err) || err.code !== 'provider_error') throw err;
      log.warn('dial failed', { reason: err.message });
      const failed = await recordCallEvent(
        this.deps,
        callId,
        {
          dedupeKey: dedupeKeys.internal(callId, 'dial_failed'),
          body: { kind: 'call_status', status: 'failed', source: 'api', reason: err.message },
        },
        'log',
      );
      throw new AppError('provider_error', err.message, {
        details: { ...detailsOf(err), callId: failed.call.callId },
      });
    }
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
