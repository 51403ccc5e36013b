// Port: the telephony carrier (Twilio) placing calls and starting real-time transcription on them.
export interface PlaceCallInput {
  /** callrelay's id, carried in every callback URL so webhooks find the call without a lookup. */
  callId: string;
  /** E.164. */
  toNumber: string;
}

/** Whether a transcription could start: `not_in_progress` means the call is not answered yet (retry later). */
export type TranscriptionStart = 'started' | 'not_in_progress';

/** A call the carrier has to a number (see {@link Telephony.findCalls}). */
export interface FoundCall {
  callSid: string;
  /** The carrier's call status (Twilio: `queued`, `ringing`, `in-progress`, `completed`, `busy`, `no-answer`, …). */
  status: string;
  /** ISO 8601 time the call started dialing; absent while it is still queued. */
  startedAt?: string;
}

/** Take a live call away from the agent: speak `notice` to the driver, then connect the call to `toNumber`. */
export interface RedirectToPhoneInput {
  callSid: string;
  /** E.164 number of the dispatcher's phone. Never logged. */
  toNumber: string;
  notice: string;
}

/** End a live call: speak `notice` (when given) to the driver, then hang up. */
export interface EndCallInput {
  callSid: string;
  notice?: string;
}

/**
 * Contract shared by every adapter:
 * - No automatic retries; every request is bounded by a timeout.
 * - Failures raise `AppError('provider_error')` naming the provider and HTTP status/error code only.
 */
export interface Telephony {
  /** Places an outbound call whose TwiML comes from callrelay's voice webhook and whose status callbacks reach it. */
  placeCall(input: PlaceCallInput): Promise<{ callSid: string }>;
  /** Starts real-time transcription of both tracks, posting to callrelay's transcription webhook. */
  startTranscription(input: { callId: string; callSid: string }): Promise<TranscriptionStart>;
  /**
   * Calls to `toNumber` started (dialed) at or after `since`, plus calls to it still queued that were created at or
   * after `since` — whoever placed them (callrelay or ElevenLabs `outbound-call`, which dials with the same carrier
   * account). Used before re-dialing an attempt whose dial was claimed but never confirmed, so one attempt never
   * becomes two calls. Times compare at whole seconds (the carrier's precision): `since` is rounded down.
   */
  findCalls(input: { toNumber: string; since: Date }): Promise<FoundCall[]>;
  /**
   * Replaces the live call's instructions: the notice, then a dial to the dispatcher's phone (the agent's media
   * stream ends with the old instructions; real-time transcription of the call keeps running). A call that is not
   * in progress raises `AppError('not_in_progress')`.
   */
  redirectToPhone(input: RedirectToPhoneInput): Promise<void>;
  /** Hangs up a live call (after the notice, when given). A call not in progress raises `AppError('not_in_progress')`. */
  endCall(input: EndCallInput): Promise<void>;
}
