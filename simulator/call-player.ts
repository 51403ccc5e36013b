// Plays one call from dial to post-call webhook: status lifecycle, voice webhook (register mode), speech, analysis.
import type { Logger } from '../core/support/log.ts';
import { callInitiationFailure, postCallTranscription } from './conversation.ts';
import { NO_RETRY, type Deliverer } from './delivery.ts';
import { twilioSid } from './ids.ts';
import type { Scheduler } from './scheduler.ts';
import { callNow, type CallRecord, type ConversationRecord, type SimulatorState } from './state.ts';
import { StatusCallbacks } from './status-callbacks.ts';
import { planConversation, type ConversationPlan } from './timeline.ts';
import type { HeardSpeech, Transcriptions } from './transcription.ts';
import { parseTwiml, selectAll, type TwimlElement } from './twiml.ts';
import { callParams, twilioFormDelivery } from './twilio-format.ts';

/** Simulated time between hang-up and the post-call analysis being ready. */
export const POST_CALL_PROCESSING_MS = 3_000;
/** Simulated time a call without an agent stream stays up (TwiML ran out). */
export const NO_STREAM_HANGUP_MS = 1_000;

export interface CallPlayerDeps {
  state: SimulatorState;
  scheduler: Scheduler;
  deliverer: Deliverer;
  transcriptions: Transcriptions;
  accountSid: string;
  authToken: string;
  webhook: { url: string; secret: string };
  reorder: boolean;
  transcriptionWaitMs: number;
  logger: Logger;
}

type SpeechEvent = { atMs: number; speech: Omit<HeardSpeech, 'confidence'> };

export class CallPlayer {
  constructor(private readonly deps: CallPlayerDeps) {}

  start(call: CallRecord): void {
    this.deps.scheduler.run(() => this.play(call));
  }

  private async advanceTo(call: CallRecord, ms: number): Promise<void> {
    await this.deps.scheduler.sleep(Math.max(0, ms - call.clockMs));
    call.clockMs = Math.max(call.clockMs, ms);
  }

  private async play(call: CallRecord): Promise<void> {
    const { script } = call;
    const status = new StatusCallbacks(call, this.deps);
    // Twilio's start_time is when the call is dialed, not answered (empty only while queued).
    call.startTime = callNow(call);
    status.emit('initiated');
    if (script.ringAfter !== undefined) {
      await this.advanceTo(call, script.ringAfter * 1000);
      call.status = 'ringing';
      status.emit('ringing');
    }
    const outcome = script.outcome;
    if (outcome.kind === 'unanswered') {
      await this.advanceTo(call, outcome.after * 1000);
      call.status = outcome.status;
      call.endTime = new Date(call.dateCreated.getTime() + call.clockMs);
      call.durationSecs = 0;
      status.emit('completed');
      this.failConversation(call, status.params('completed'));
      return;
    }
    await this.advanceTo(call, outcome.answeredAfter * 1000);
    const answeredAtMs = call.clockMs;
    call.status = 'in-progress';
    if (call.machineDetection)
      call.answeredBy = outcome.answeredBy === 'human' ? 'human' : 'machine_end_beep';
    status.emit('answered');

    const conversation = call.mode === 'register' ? await this.answer(call) : this.conversationOf(call);
    let plan: ConversationPlan = { utterances: [], hangupMs: NO_STREAM_HANGUP_MS };
    if (conversation) {
      conversation.status = 'in-progress';
      conversation.callSid = call.sid;
      conversation.streamSid = twilioSid('MZ');
      conversation.script = script;
      if (call.mode === 'elevenlabs') await this.awaitTranscription(call);
      plan = planConversation(script, conversation.dynamicVariables);
      for (const event of speechEvents(plan)) {
        await this.advanceTo(call, answeredAtMs + event.atMs);
        const confidence = Math.round((0.86 + call.random() * 0.13) * 1e7) / 1e7;
        this.deps.transcriptions.heard(call, { ...event.speech, confidence });
      }
    }
    await this.advanceTo(call, answeredAtMs + plan.hangupMs);
    call.status = 'completed';
    call.endTime = new Date(call.dateCreated.getTime() + call.clockMs);
    call.durationSecs = Math.round(plan.hangupMs / 1000);
    this.deps.transcriptions.stopAll(call);
    status.emit('completed');
    if (conversation) await this.finishConversation(call, conversation, plan);
  }

  /** Register mode: Twilio fetches the voice URL; its TwiML starts transcriptions and connects the agent. */
  private async answer(call: CallRecord): Promise<ConversationRecord | null> {
    const { deps } = this;
    let twiml = call.twiml;
    if (twiml === null && call.url) {
      const response = await deps.deliverer.send(
        twilioFormDelivery({
          kind: 'twilio-voice',
          label: 'in-progress',
          callSid: call.sid,
          url: call.url,
          method: call.method,
          params: callParams(call, deps.accountSid),
          authToken: deps.authToken,
          policy: NO_RETRY,
        }),
      );
      if (response.status !== null && response.status < 300) twiml = response.body;
    }
    if (twiml === null) return null;
    let doc: TwimlElement;
    try {
      doc = parseTwiml(twiml);
    } catch (err) {
      deps.logger.warn('simulator: voice webhook answered invalid TwiML (Twilio error 12100)', {
        error: String(err),
      });
      return null;
    }
    for (const t of selectAll(doc, ['Response', 'Start', 'Transcription'])) {
      deps.transcriptions.start(call, transcriptionAttributes(t));
    }
    const stream = selectAll(doc, ['Response', 'Connect', 'Stream'])[0];
    return stream ? this.linkStream(call, stream) : null;
  }

  /** Finds the registered conversation a `<Stream>` belongs to (its conversation_id parameter, else the numbers). */
  private linkStream(call: CallRecord, stream: TwimlElement): ConversationRecord | null {
    const { conversations } = this.deps.state;
    const param = stream.children.find(
      (c) => c.name === 'Parameter' && c.attributes.name === 'conversation_id',
    );
    const byId = param?.attributes.value ? conversations.get(param.attributes.value) : undefined;
    const conversation =
      byId ??
      [...conversations.values()]
        .reverse()
        .find((c) => c.mode === 'register' && c.callSid === null && c.toNumber === call.to);
    if (!conversation || (conversation.callSid !== null && conversation.callSid !== call.sid)) return null;
    call.conversationId = conversation.conversationId;
    conversation.callSid = call.sid;
    return conversation;
  }

  private conversationOf(call: CallRecord): ConversationRecord | null {
    return call.conversationId ? (this.deps.state.conversations.get(call.conversationId) ?? null) : null;
  }

  /** elevenlabs mode: give callrelay a moment to start transcription over REST before the agent speaks. */
  private async awaitTranscription(call: CallRecord): Promise<void> {
    if (call.sessions.length > 0 || this.deps.transcriptionWaitMs <= 0) return;
    let wake: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (wake = resolve));
    call.onSessionStarted = wake;
    try {
      await Promise.race([started, this.deps.scheduler.sleepReal(this.deps.transcriptionWaitMs)]);
    } finally {
      call.onSessionStarted = null;
    }
  }

  private failConversation(call: CallRecord, statusBody: Record<string, string>): void {
    const conversation = this.conversationOf(call);
    if (!conversation) return;
    conversation.status = 'failed';
    conversation.callSid = call.sid;
    conversation.callResult = call.script.callResult;
    conversation.failureReason =
      call.status === 'busy' || call.status === 'no-answer' ? call.status : 'unknown';
    const delivery = callInitiationFailure(conversation, statusBody, this.deps.webhook);
    this.deps.deliverer.enqueue(this.deps.deliverer.lane(), delivery, call.random);
  }

  private async finishConversation(
    call: CallRecord,
    conversation: ConversationRecord,
    plan: ConversationPlan,
  ): Promise<void> {
    conversation.status = 'processing';
    conversation.durationSecs = call.durationSecs ?? 0;
    conversation.callResult = call.script.callResult;
    conversation.transcript = plan.utterances.map((u) => ({
      role: u.speaker === 'agent' ? 'agent' : 'user',
      message: u.text,
      time_in_call_secs: Math.round(u.startMs / 1000),
      interrupted: u.cut,
    }));
    await this.advanceTo(call, call.clockMs + POST_CALL_PROCESSING_MS);
    conversation.status = 'done';
    const delivery = postCallTranscription(conversation, this.deps.webhook);
    this.deps.deliverer.enqueue(this.deps.deliverer.lane(), delivery, call.random);
  }
}

/** Partial and final results in time order (per track order is kept: a track's utterances never overlap). */
function speechEvents(plan: ConversationPlan): SpeechEvent[] {
  const events: SpeechEvent[] = [];
  for (const u of plan.utterances) {
    const track = u.speaker === 'driver' ? 'inbound_track' : 'outbound_track';
    for (const p of u.partials) {
      events.push({ atMs: p.atMs, speech: { track, text: p.text, final: false, stability: p.stability } });
    }
    events.push({ atMs: u.endMs, speech: { track, text: u.text, final: true, stability: 1 } });
  }
  return events.sort((a, b) => a.atMs - b.atMs);
}

function transcriptionAttributes(t: TwimlElement): Record<string, string> {
  const a = t.attributes;
  const pick = (key: string) => (a[key] !== undefined ? { [key]: a[key] } : {});
  return {
    ...pick('name'),
    ...pick('statusCallbackUrl'),
    ...pick('statusCallbackMethod'),
    ...pick('track'),
    ...pick('inboundTrackLabel'),
    ...pick('outboundTrackLabel'),
    ...pick('partialResults'),
    ...pick('languageCode'),
    ...pick('transcriptionEngine'),
    ...pick('speechModel'),
    ...pick('profanityFilter'),
  };
}
