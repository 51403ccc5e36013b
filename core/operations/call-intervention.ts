// Live intervention: a dispatcher takes a call over (connects it to their phone) or ends it, recorded as an event.
import { publicCall, type Call } from '../domain/call.ts';
import type { InterventionAction } from '../domain/call-event.ts';
import { dedupeKeys } from '../domain/dedupe-key.ts';
import { END_NOTICE, TAKEOVER_NOTICE } from '../domain/intervention.ts';
import type { Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import type { Logger } from '../support/log.ts';
import type { CallStore } from '../ports/call-store.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Telephony } from '../ports/telephony.ts';
import type { UserStore } from '../ports/user-store.ts';
import { recordCallEvent } from './record-call-event.ts';

export interface CallInterventionDeps {
  store: CallStore;
  bus: EventBus;
  telephony: Telephony;
  users: UserStore;
  clock: Clock;
  logger: Logger;
}

/** The dispatcher acting (the token's `sub`). */
export interface Actor {
  userId: string;
}

/**
 * Takeover and end of an in-progress call the caller already owns (org checked by the caller). Order: check, ask the
 * carrier, then record the `intervention` event (so a failed carrier request records nothing and can be retried).
 * Decisions (docs/API.md "Live intervention"):
 * - a call is taken over once: a second takeover is `already_taken_over` (409, details: who and when), also after a
 *   failed end; a concurrent second takeover racing the first's carrier request may redirect twice but is recorded
 *   once (the event's dedupe key is per call);
 * - end is idempotent while the hang-up is under way: a repeat answers the call again without a second carrier
 *   request; once the call is over, end (like takeover) is `not_in_progress`.
 */
export class CallIntervention {
  constructor(private readonly deps: CallInterventionDeps) {}

  /** Connects the call to `phoneNumber`, else the dispatcher's profile number; returns the updated call (public). */
  async takeOver(call: Call, actor: Actor, phoneNumber?: string): Promise<Call> {
    if (call.takenOver) {
      throw new AppError('already_taken_over', 'the call was taken over before', {
        details: { by: call.takenOver.by, at: call.takenOver.at },
      });
    }
    const callSid = this.liveCallSid(call);
    const user = await this.deps.users.findById(actor.userId);
    const toNumber = phoneNumber ?? user?.phoneNumber;
    if (!toNumber) {
      throw new AppError(
        'phone_number_required',
        'give phoneNumber, or add a phone number to your profile, to take a call over',
      );
    }
    const at = this.deps.clock.now().toISOString();
    await this.deps.telephony.redirectToPhone({ callSid, toNumber, notice: TAKEOVER_NOTICE });
    return this.record(call, 'takeover', actor, user?.email, at);
  }

  /** Hangs the call up politely; returns the call (public) with `endRequested` set. */
  async end(call: Call, actor: Actor): Promise<Call> {
    // Still in progress after an end was recorded: the hang-up is under way; asking again changes nothing.
    if (call.endRequested && call.status === 'in-progress') return publicCall(call);
    const callSid = this.liveCallSid(call);
    const user = await this.deps.users.findById(actor.userId);
    const at = this.deps.clock.now().toISOString();
    await this.deps.telephony.endCall({ callSid, notice: END_NOTICE });
    return this.record(call, 'end', actor, user?.email, at);
  }

  private liveCallSid(call: Call): string {
    if (call.status !== 'in-progress' || !call.callSid) {
      throw new AppError('not_in_progress', `the call is ${call.status}, not in progress`, {
        details: { status: call.status },
      });
    }
    return call.callSid;
  }

  private async record(
    call: Call,
    action: InterventionAction,
    actor: Actor,
    email: string | undefined,
    at: string,
  ): Promise<Call> {
    const result = await recordCallEvent(
      this.deps,
      call.callId,
      {
        dedupeKey: dedupeKeys.internal(call.callId, action),
        body: { kind: 'intervention', action, by: actor.userId, ...(email ? { byEmail: email } : {}), at },
      },
      'log',
    );
    this.deps.logger.info(`call ${action} by dispatcher`, { callId: call.callId, sub: actor.userId });
    return publicCall(result.call);
  }
}
