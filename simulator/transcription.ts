// Twilio Real-Time Transcription sessions on a call: started from TwiML or REST, webhook per utterance per track.
import type { Deliverer } from './delivery.ts';
import { twilioSid } from './ids.ts';
import { callNow, type CallRecord, type TranscriptionSession, type TranscriptionTrack } from './state.ts';
import { isoMicros, twilioFormDelivery } from './twilio-format.ts';

/** Session settings, from `<Transcription>` attributes or the REST create form (both mapped to these names). */
export interface TranscriptionConfig {
  name?: string;
  statusCallbackUrl?: string;
  statusCallbackMethod?: string;
  track?: string;
  inboundTrackLabel?: string;
  outboundTrackLabel?: string;
  partialResults?: string;
  languageCode?: string;
  transcriptionEngine?: string;
  speechModel?: string;
  profanityFilter?: string;
}

/** One piece of heard speech, partial (still changing) or final. */
export interface HeardSpeech {
  track: 'inbound_track' | 'outbound_track';
  text: string;
  final: boolean;
  /** Final results carry a confidence; partials carry a stability. */
  confidence: number;
  stability: number;
}

export function parseTrack(value: string | undefined): TranscriptionTrack | null {
  if (value === undefined || value === '') return 'both_tracks';
  return value === 'inbound_track' || value === 'outbound_track' || value === 'both_tracks' ? value : null;
}

export class Transcriptions {
  constructor(
    private readonly deliverer: Deliverer,
    private readonly credentials: { accountSid: string; authToken: string },
  ) {}

  /** Starts a session on an in-progress call and announces it (`transcription-started`). */
  start(call: CallRecord, config: TranscriptionConfig): TranscriptionSession {
    const sid = twilioSid('GT');
    const session: TranscriptionSession = {
      sid,
      name: config.name || sid,
      callSid: call.sid,
      statusCallbackUrl: config.statusCallbackUrl || null,
      statusCallbackMethod: config.statusCallbackMethod?.toUpperCase() === 'GET' ? 'GET' : 'POST',
      track: parseTrack(config.track) ?? 'both_tracks',
      ...(config.inboundTrackLabel ? { inboundTrackLabel: config.inboundTrackLabel } : {}),
      ...(config.outboundTrackLabel ? { outboundTrackLabel: config.outboundTrackLabel } : {}),
      partialResults: config.partialResults === 'true',
      languageCode: config.languageCode || 'en-US',
      transcriptionEngine: config.transcriptionEngine || 'google',
      speechModel: config.speechModel || 'telephony',
      profanityFilter: config.profanityFilter !== 'false',
      status: 'in-progress',
      dateUpdated: callNow(call),
      sequence: 0,
      lane: this.deliverer.lane(),
    };
    call.sessions.push(session);
    this.send(call, session, 'transcription-started', {
      ProviderConfiguration: JSON.stringify({
        profanityFilter: String(session.profanityFilter),
        speechModel: session.speechModel,
        enableAutomaticPunctuation: 'true',
      }),
      TranscriptionEngine: session.transcriptionEngine,
      Name: session.name,
      Track: session.track,
      ...(session.inboundTrackLabel ? { InboundTrackLabel: session.inboundTrackLabel } : {}),
      ...(session.outboundTrackLabel ? { OutboundTrackLabel: session.outboundTrackLabel } : {}),
      PartialResults: String(session.partialResults),
      LanguageCode: session.languageCode,
    });
    call.onSessionStarted?.();
    return session;
  }

  /** Sends what was heard to every running session listening to that track (partials only where asked for). */
  heard(call: CallRecord, speech: HeardSpeech): void {
    for (const session of call.sessions) {
      if (session.status !== 'in-progress') continue;
      if (session.track !== 'both_tracks' && session.track !== speech.track) continue;
      if (!speech.final && !session.partialResults) continue;
      const data = speech.final
        ? { transcript: speech.text, confidence: speech.confidence }
        : { transcript: speech.text };
      this.send(call, session, 'transcription-content', {
        LanguageCode: session.languageCode,
        Track: speech.track,
        TranscriptionData: JSON.stringify(data),
        Final: String(speech.final),
        ...(speech.final ? {} : { Stability: speech.stability.toFixed(2) }),
      });
    }
  }

  stop(call: CallRecord, session: TranscriptionSession): void {
    if (session.status === 'stopped') return;
    session.status = 'stopped';
    session.dateUpdated = callNow(call);
    this.send(call, session, 'transcription-stopped', {});
  }

  stopAll(call: CallRecord): void {
    for (const session of call.sessions) this.stop(call, session);
  }

  private send(
    call: CallRecord,
    session: TranscriptionSession,
    event: string,
    extra: Record<string, string>,
  ): void {
    session.sequence += 1;
    if (!session.statusCallbackUrl) return;
    const params: Record<string, string> = {
      AccountSid: this.credentials.accountSid,
      CallSid: call.sid,
      TranscriptionSid: session.sid,
      Timestamp: isoMicros(callNow(call)),
      SequenceId: String(session.sequence),
      TranscriptionEvent: event,
      ...extra,
    };
    const delivery = twilioFormDelivery({
      kind: 'twilio-transcription',
      label: event,
      callSid: call.sid,
      url: session.statusCallbackUrl,
      method: session.statusCallbackMethod,
      params,
      authToken: this.credentials.authToken,
    });
    this.deliverer.enqueue(session.lane, delivery, call.random);
  }
}
