// Live intervention rules: what the driver hears on a takeover or an end, and who speaks on the outbound track.
import type { Call } from './call.ts';
import type { Speaker } from './call-event.ts';

/** Spoken to the driver before the dispatcher's phone is dialed into the call. */
export const TAKEOVER_NOTICE = 'Please hold, I am connecting you with your dispatcher now.';
/** Spoken to the driver before callrelay hangs up on a dispatcher's request. */
export const END_NOTICE = 'Thank you for your time. Your dispatcher has ended this call. Goodbye.';

/**
 * The speaker of transcribed speech, given the track's speaker and when it was heard. After a takeover Twilio's
 * outbound track carries the dispatcher's voice (the dialed leg), not the agent's: outbound speech heard at or after
 * the call's stored takeover time is the dispatcher's. `heardAt` is the provider's event time (ISO), else the time
 * it arrived; late deliveries of earlier agent speech keep their `agent` label because their event time is earlier.
 */
export function speakerOf(trackSpeaker: Speaker, call: Pick<Call, 'takenOver'>, heardAt: string): Speaker {
  if (trackSpeaker !== 'agent' || !call.takenOver) return trackSpeaker;
  const heard = Date.parse(heardAt);
  const takenOver = Date.parse(call.takenOver.at);
  if (!Number.isFinite(heard) || !Number.isFinite(takenOver)) return trackSpeaker;
  return heard >= takenOver ? 'dispatcher' : 'agent';
}
