// Twilio call status callbacks for one call: only the requested events, SequenceNumber from 0, optional reordering.
import type { Deliverer, Delivery } from './delivery.ts';
import { callNow, type CallRecord } from './state.ts';
import { callParams, rfc2822, twilioFormDelivery } from './twilio-format.ts';

/** StatusCallbackEvent names; `completed` covers every terminal status. */
export type StatusEvent = 'initiated' | 'ringing' | 'answered' | 'completed';

export interface StatusCallbackOptions {
  deliverer: Deliverer;
  accountSid: string;
  authToken: string;
  /** Fault: deliver adjacent callbacks swapped (0↔1, 2↔3, …). */
  reorder: boolean;
}

export class StatusCallbacks {
  private held: Delivery | null = null;

  constructor(
    private readonly call: CallRecord,
    private readonly options: StatusCallbackOptions,
  ) {}

  /** The StatusCallback body for the call's current state (also what ElevenLabs embeds in call_initiation_failure). */
  params(event: StatusEvent): Record<string, string> {
    const call = this.call;
    const params: Record<string, string> = {
      ...callParams(call, this.options.accountSid),
      CallStatus: event === 'initiated' ? 'initiated' : call.status,
      Timestamp: rfc2822(callNow(call)),
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(call.statusSequence),
    };
    if (event === 'completed') {
      const seconds = call.durationSecs ?? 0;
      params.CallDuration = String(seconds);
      params.Duration = String(Math.ceil(seconds / 60));
      params.SipResponseCode = call.status === 'completed' ? '200' : String(sipCode(call));
    }
    return params;
  }

  /** Sends the callback if the call asked for this event. */
  emit(event: StatusEvent): void {
    const call = this.call;
    if (!call.statusCallback || !call.statusCallbackEvents.has(event) || !call.statusLane) return;
    const params = this.params(event);
    call.statusSequence += 1;
    const delivery = twilioFormDelivery({
      kind: 'twilio-status',
      label: params.CallStatus ?? event,
      callSid: call.sid,
      url: call.statusCallback,
      method: call.statusCallbackMethod,
      params,
      authToken: this.options.authToken,
    });
    if (!this.options.reorder) return this.enqueue(delivery);
    if (this.held) {
      this.enqueue(delivery);
      this.enqueue(this.held);
      this.held = null;
    } else if (event === 'completed') {
      this.enqueue(delivery);
    } else {
      this.held = delivery;
    }
  }

  private enqueue(delivery: Delivery): void {
    if (this.call.statusLane)
      this.options.deliverer.enqueue(this.call.statusLane, delivery, this.call.random);
  }
}

function sipCode(call: CallRecord): number {
  return call.script.outcome.kind === 'unanswered' ? call.script.outcome.sipResponseCode : 487;
}
