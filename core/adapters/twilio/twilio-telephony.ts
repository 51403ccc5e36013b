// Twilio adapter (official SDK): places calls with callbacks to callrelay and starts real-time transcription.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type {
  EndCallInput,
  FoundCall,
  PlaceCallInput,
  RedirectToPhoneInput,
  Telephony,
  TranscriptionStart,
} from '../../ports/telephony.ts';
import { AppError } from '../../support/errors.ts';
import { callbackUrl, TRANSCRIPTION_SETTINGS } from '../../domain/callback-urls.ts';
import { providerError, twilioErrorCode } from '../provider-errors.ts';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** E.164 caller id of outbound calls. */
  fromNumber: string;
  /** Origin Twilio calls back (webhook URLs are built from it). */
  publicBaseUrl: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /**
   * Replaces the SDK's HTTP client (e.g. one routing api.twilio.com to a simulator). It must itself be built with
   * `autoRetry: false` and the timeout: the SDK passes neither to a custom client.
   */
  httpClient?: RequestClient;
}

/** Twilio error 21220: a realtime operation on a call that is not in progress (yet). */
export const TWILIO_CALL_NOT_IN_PROGRESS = 21220;

/**
 * Most calls `findCalls` reads per query. A number is dialed a handful of times a day, so this is never reached in
 * practice; it bounds the answer (one page) if it were.
 */
export const FIND_CALLS_LIMIT = 50;

/** Status callbacks requested for every call callrelay places. */
export const STATUS_CALLBACK_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

export class TwilioTelephony implements Telephony {
  private readonly client: twilio.Twilio;

  constructor(private readonly config: TwilioConfig) {
    this.client = twilio(config.accountSid, config.authToken, {
      autoRetry: false,
      timeout: config.timeoutMs,
      ...(config.httpClient ? { httpClient: config.httpClient } : {}),
    });
  }

  async placeCall(input: PlaceCallInput): Promise<{ callSid: string }> {
    const base = this.config.publicBaseUrl;
    try {
      const call = await this.client.calls.create({
        to: input.toNumber,
        from: this.config.fromNumber,
        url: callbackUrl(base, 'voice', input.callId),
        method: 'POST',
        statusCallback: callbackUrl(base, 'status', input.callId),
        statusCallbackEvent: STATUS_CALLBACK_EVENTS,
        statusCallbackMethod: 'POST',
      });
      return { callSid: call.sid };
    } catch (err) {
      throw providerError('twilio', 'calls.create', err);
    }
  }

  async startTranscription(input: { callId: string; callSid: string }): Promise<TranscriptionStart> {
    try {
      await this.client.calls(input.callSid).transcriptions.create({
        ...TRANSCRIPTION_SETTINGS,
        statusCallbackUrl: callbackUrl(this.config.publicBaseUrl, 'transcription', input.callId),
        statusCallbackMethod: 'POST',
      });
      return 'started';
    } catch (err) {
      if (twilioErrorCode(err) === TWILIO_CALL_NOT_IN_PROGRESS) return 'not_in_progress';
      throw providerError('twilio', 'transcriptions.create', err);
    }
  }

  /**
   * Two list reads (Twilio's Calls list is filtered by `To` server-side):
   * - `StartTime>` = `since`: Twilio documents StartTime filters at day granularity (`YYYY-MM-DD`) while the SDK
   *   sends a date-time, so the answer may hold the whole day; it is filtered here on `start_time` to the second.
   * - `Status=queued`: a call waiting on the account's calls-per-second limit has no `start_time` yet, so no
   *   StartTime filter matches it; it counts when created at or after `since`.
   */
  async findCalls(input: { toNumber: string; since: Date }): Promise<FoundCall[]> {
    const sinceSecs = Math.floor(input.since.getTime() / 1000);
    // A call with no start_time deserializes to null despite the SDK's `Date` type.
    const atOrAfter = (date: unknown): date is Date =>
      date instanceof Date && Math.floor(date.getTime() / 1000) >= sinceSecs;
    try {
      const [started, queued] = await Promise.all([
        this.client.calls.list({
          to: input.toNumber,
          startTimeAfter: new Date(sinceSecs * 1000),
          pageSize: FIND_CALLS_LIMIT,
          limit: FIND_CALLS_LIMIT,
        }),
        this.client.calls.list({
          to: input.toNumber,
          status: 'queued',
          pageSize: FIND_CALLS_LIMIT,
          limit: FIND_CALLS_LIMIT,
        }),
      ]);
      const found = new Map<string, FoundCall>();
      for (const call of started) {
        const startTime: unknown = call.startTime;
        if (!atOrAfter(startTime)) continue;
        found.set(call.sid, { callSid: call.sid, status: call.status, startedAt: startTime.toISOString() });
      }
      for (const call of queued) {
        if (!found.has(call.sid) && atOrAfter(call.dateCreated))
          found.set(call.sid, { callSid: call.sid, status: call.status });
      }
      return [...found.values()];
    } catch (err) {
      throw providerError('twilio', 'calls.list', err);
    }
  }

  /**
   * `calls(sid).update({ twiml })` (form `Twiml=…`, Twilio's "modify a call in progress"): Twilio drops the call's
   * current TwiML (the agent's `<Connect><Stream>`) and runs `<Say>` then `<Dial>`. The dialed leg's audio is the
   * parent call's outbound track from then on. Real-time transcription is a subresource of the call, not of its
   * TwiML document (it is also started over REST, `calls(sid).transcriptions.create`), so it keeps running; see
   * docs/API.md "Live intervention" for the sources and what is unconfirmed.
   */
  async redirectToPhone(input: RedirectToPhoneInput): Promise<void> {
    const response = new twilio.twiml.VoiceResponse();
    response.say(input.notice);
    response.dial({ callerId: this.config.fromNumber }, input.toNumber);
    await this.update(input.callSid, { twiml: response.toString() });
  }

  /**
   * With a notice: TwiML `<Say>` then `<Hangup/>` (the driver hears why the line goes quiet). Without: `Status=
   * completed`, which Twilio documents as hanging up a call even if it is in progress.
   */
  async endCall(input: EndCallInput): Promise<void> {
    if (input.notice === undefined) return this.update(input.callSid, { status: 'completed' });
    const response = new twilio.twiml.VoiceResponse();
    response.say(input.notice);
    response.hangup();
    await this.update(input.callSid, { twiml: response.toString() });
  }

  /** One call update; Twilio's 21220 (call not in progress) becomes `not_in_progress`, anything else provider_error. */
  private async update(callSid: string, params: { twiml: string } | { status: 'completed' }): Promise<void> {
    try {
      await this.client.calls(callSid).update(params);
    } catch (err) {
      if (twilioErrorCode(err) === TWILIO_CALL_NOT_IN_PROGRESS)
        // No cause: SDK errors can quote the request (the dialed number), and causes reach logs.
        throw new AppError('not_in_progress', 'the call is not in progress');
      throw providerError('twilio', 'calls.update', err);
    }
  }
}
