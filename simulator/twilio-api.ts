// Twilio REST API subset: Calls create/fetch and Real-Time Transcriptions create/stop, with Twilio's auth and errors.
import { timingSafeEqual } from 'node:crypto';
import { isE164 } from '../core/domain/phone-number.ts';
import type { CallPlayer } from './call-player.ts';
import { newCallRecord } from './call-factory.ts';
import type { Deliverer } from './delivery.ts';
import { headerValue, json, parseBasicAuth, type SimRequest, type SimResponse } from './http-io.ts';
import type { Random } from './rng.ts';
import type { CallScript } from './scripts/script.ts';
import {
  callNow,
  type CallInterrupt,
  type CallRecord,
  type SimulatorState,
  type TranscriptionSession,
} from './state.ts';
import { parseTwiml, selectAll, type TwimlElement } from './twiml.ts';
import { parseTrack, type TranscriptionConfig, type Transcriptions } from './transcription.ts';
import { callListPage, parseCallListQuery, selectCalls } from './twilio-call-list.ts';
import { rfc2822, TWILIO_API_VERSION } from './twilio-format.ts';
import type { ScriptContext } from './types.ts';

export interface TwilioApiDeps {
  state: SimulatorState;
  player: CallPlayer;
  deliverer: Deliverer;
  transcriptions: Transcriptions;
  accountSid: string;
  authToken: string;
  chooseScript(ctx: ScriptContext): CallScript;
  nextRandom(): Random;
}

/** Twilio's REST error body. */
export function twilioError(status: number, code: number, message: string): SimResponse {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

const STATUS_EVENTS = new Set(['initiated', 'ringing', 'answered', 'completed']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function method(value: string | null): 'GET' | 'POST' {
  return value?.toUpperCase() === 'GET' ? 'GET' : 'POST';
}

export class TwilioApi {
  constructor(private readonly deps: TwilioApiDeps) {}

  /** 401 20003 for bad Basic credentials; 404 when the path names another account. Null when allowed. */
  authorize(req: SimRequest, pathAccountSid: string): SimResponse | null {
    const creds = parseBasicAuth(headerValue(req.headers, 'authorization'));
    if (
      !creds ||
      creds.username !== this.deps.accountSid ||
      !sameSecret(creds.password, this.deps.authToken)
    ) {
      return json(401, {
        code: 20003,
        detail: 'Your AccountSid or AuthToken was incorrect.',
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    }
    return pathAccountSid === this.deps.accountSid ? null : this.notFound(req.path);
  }

  createCall(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.rawBody);
    const to = form.get('To');
    const from = form.get('From');
    const url = form.get('Url');
    const twiml = form.get('Twiml');
    if (!to) return twilioError(400, 21201, "No 'To' number is specified");
    if (!from) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!isE164(to)) return twilioError(400, 21211, "Invalid 'To' Phone Number");
    if (!url && !twiml) return twilioError(400, 21205, "Either 'Url' or 'Twiml' must be provided.");
    if (url && !isHttpUrl(url)) return twilioError(400, 21205, 'Url is not a valid URL.');
    const statusCallback = form.get('StatusCallback');
    if (statusCallback && !isHttpUrl(statusCallback))
      return twilioError(400, 21609, 'Invalid StatusCallback URL.');
    const events = form
      .getAll('StatusCallbackEvent')
      .flatMap((v) => v.split(/\s+/))
      .filter((v) => STATUS_EVENTS.has(v));
    const call = newCallRecord({
      mode: 'register',
      to,
      from,
      script: this.deps.chooseScript({ mode: 'register', to, from, dynamicVariables: {} }),
      random: this.deps.nextRandom(),
      url,
      method: method(form.get('Method')),
      twiml,
      statusCallback,
      statusCallbackMethod: method(form.get('StatusCallbackMethod')),
      statusCallbackEvents: new Set(events.length > 0 ? events : ['completed']),
      machineDetection: form.get('MachineDetection'),
    });
    if (statusCallback) call.statusLane = this.deps.deliverer.lane();
    this.deps.state.calls.set(call.sid, call);
    // The answer shows the call as created (queued, not dialed yet), before its player moves it on.
    const created = this.callResource(call);
    this.deps.player.start(call);
    return json(201, created);
  }

  fetchCall(req: SimRequest, callSid: string): SimResponse {
    const call = this.deps.state.calls.get(callSid);
    return call ? json(200, this.callResource(call)) : this.notFound(req.path);
  }

  /** Calls list read with Twilio's filters and page envelope (see twilio-call-list.ts); every dial mode's calls. */
  listCalls(req: SimRequest, accountSid: string): SimResponse {
    const query = parseCallListQuery(req.search);
    if ('invalid' in query) return twilioError(400, 20001, `Invalid ${query.invalid} parameter`);
    const matches = selectCalls(this.deps.state.calls.values(), query);
    return json(
      200,
      callListPage({
        listPath: `/${TWILIO_API_VERSION}/Accounts/${accountSid}/Calls.json`,
        search: req.search,
        query,
        matches,
        resource: (call) => this.callResource(call),
      }),
    );
  }

  /**
   * Modifies a live call (Twilio "update a Call"): `Status=completed` hangs it up; `Twiml` replaces its instructions
   * (`<Say>` then `<Dial>` connects the scripted human conversation, `<Say>` then `<Hangup/>` or TwiML that just
   * runs out ends it). A call that is not in progress answers 400 with code 21220. `Url` updates are not simulated.
   */
  updateCall(req: SimRequest, callSid: string): SimResponse {
    const call = this.deps.state.calls.get(callSid);
    if (!call) return this.notFound(req.path);
    const form = new URLSearchParams(req.rawBody);
    const status = form.get('Status');
    const twiml = form.get('Twiml');
    if (status === 'canceled') {
      // Twilio: canceled only affects queued or ringing calls; callrelay never sends it.
      return json(200, this.callResource(call));
    }
    if (status !== null && status !== 'completed') return twilioError(400, 20001, 'Invalid Status');
    if (status === null && twiml === null) return twilioError(400, 20001, 'Twiml or Status is required');
    if (call.status !== 'in-progress' || call.interrupts.some((i) => i.kind === 'hangup')) {
      return twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.');
    }
    if (status === 'completed') {
      this.interrupt(call, { kind: 'hangup', notice: null });
      return json(200, this.callResource(call));
    }
    let doc: TwimlElement;
    try {
      doc = parseTwiml(twiml ?? '');
    } catch {
      return twilioError(400, 12100, 'Document parse failure');
    }
    const say = selectAll(doc, ['Response', 'Say'])
      .map((e) => e.text)
      .join(' ')
      .trim();
    const notice = say || null;
    const dial = selectAll(doc, ['Response', 'Dial'])[0];
    const to = dial ? dial.text || selectAll(dial, ['Number'])[0]?.text : undefined;
    if (dial && !to) return twilioError(400, 13223, 'Dial: Invalid phone number format');
    this.interrupt(call, to ? { kind: 'dial', to, notice } : { kind: 'hangup', notice });
    return json(200, this.callResource(call));
  }

  private interrupt(call: CallRecord, interrupt: CallInterrupt): void {
    call.interrupts.push(interrupt);
    call.onInterrupt?.();
  }

  createTranscription(req: SimRequest, callSid: string): SimResponse {
    const call = this.deps.state.calls.get(callSid);
    if (!call) return this.notFound(req.path);
    if (call.status !== 'in-progress') {
      return twilioError(
        400,
        21220,
        'Invalid call state: You attempted a realtime operation on a Call that was not in-progress',
      );
    }
    const form = new URLSearchParams(req.rawBody);
    const config: TranscriptionConfig = {};
    const fields: [keyof TranscriptionConfig, string][] = [
      ['name', 'Name'],
      ['statusCallbackUrl', 'StatusCallbackUrl'],
      ['statusCallbackMethod', 'StatusCallbackMethod'],
      ['track', 'Track'],
      ['inboundTrackLabel', 'InboundTrackLabel'],
      ['outboundTrackLabel', 'OutboundTrackLabel'],
      ['partialResults', 'PartialResults'],
      ['languageCode', 'LanguageCode'],
      ['transcriptionEngine', 'TranscriptionEngine'],
      ['speechModel', 'SpeechModel'],
      ['profanityFilter', 'ProfanityFilter'],
    ];
    for (const [key, param] of fields) {
      const value = form.get(param);
      if (value !== null) config[key] = value;
    }
    if (parseTrack(config.track) === null) return twilioError(400, 20001, 'Invalid Track');
    if (config.statusCallbackUrl && !isHttpUrl(config.statusCallbackUrl)) {
      return twilioError(400, 20001, 'Invalid StatusCallbackUrl');
    }
    if (config.name && call.sessions.some((s) => s.name === config.name && s.status === 'in-progress')) {
      return twilioError(409, 20409, 'A transcription with this name is already running on the call');
    }
    const session = this.deps.transcriptions.start(call, config);
    return json(201, this.transcriptionResource(session));
  }

  /** Stops a session named by its GT sid or by the Name given at creation (`Status=stopped`). */
  updateTranscription(req: SimRequest, callSid: string, sidOrName: string): SimResponse {
    const call = this.deps.state.calls.get(callSid);
    const session = call?.sessions.find((s) => s.sid === sidOrName || s.name === sidOrName);
    if (!call || !session) return this.notFound(req.path);
    if (new URLSearchParams(req.rawBody).get('Status') !== 'stopped') {
      return twilioError(400, 20001, "Status must be 'stopped'");
    }
    this.deps.transcriptions.stop(call, session);
    return json(200, this.transcriptionResource(session));
  }

  private notFound(path: string): SimResponse {
    return twilioError(404, 20404, `The requested resource ${path} was not found`);
  }

  private callResource(call: CallRecord): Record<string, unknown> {
    const base = `/${TWILIO_API_VERSION}/Accounts/${this.deps.accountSid}/Calls/${call.sid}`;
    return {
      sid: call.sid,
      account_sid: this.deps.accountSid,
      date_created: rfc2822(call.dateCreated),
      date_updated: rfc2822(callNow(call)),
      parent_call_sid: null,
      to: call.to,
      to_formatted: call.to,
      from: call.from,
      from_formatted: call.from,
      phone_number_sid: null,
      status: call.status,
      start_time: call.startTime ? rfc2822(call.startTime) : null,
      end_time: call.endTime ? rfc2822(call.endTime) : null,
      duration: call.durationSecs === null ? null : String(call.durationSecs),
      price: null,
      price_unit: 'USD',
      direction: 'outbound-api',
      answered_by: call.answeredBy,
      api_version: TWILIO_API_VERSION,
      forwarded_from: null,
      group_sid: null,
      caller_name: null,
      queue_time: '0',
      trunk_sid: null,
      annotation: null,
      uri: `${base}.json`,
      subresource_uris: {
        notifications: `${base}/Notifications.json`,
        recordings: `${base}/Recordings.json`,
        transcriptions: `${base}/Transcriptions.json`,
        streams: `${base}/Streams.json`,
        events: `${base}/Events.json`,
      },
    };
  }

  private transcriptionResource(session: TranscriptionSession): Record<string, unknown> {
    return {
      sid: session.sid,
      account_sid: this.deps.accountSid,
      call_sid: session.callSid,
      name: session.name,
      status: session.status,
      date_updated: rfc2822(session.dateUpdated),
      uri: `/${TWILIO_API_VERSION}/Accounts/${this.deps.accountSid}/Calls/${session.callSid}/Transcriptions/${session.sid}.json`,
    };
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
