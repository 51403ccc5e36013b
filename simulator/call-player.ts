// Plays one call from dial to post-call webhook: status lifecycle, voice webhook, speech, call updates, analysis.
import type { Logger } from '../core/support/log.ts';
import { callInitiationFailure, postCallTranscription } from './conversation.ts';
import { NO_RETRY, type Deliverer } from './delivery.ts';
import { twilioSid } from './ids.ts';
import type { Scheduler } from './scheduler.ts';
import { callNow, type CallRecord, type ConversationRecord, type SimulatorState } from './state.ts';
import { StatusCallbacks } from './status-callbacks.ts';
import { TAKEOVER_CONVERSATION } from './scripts/takeover.ts';
import { planConversation, planTurns, type ConversationPlan } from './timeline.ts';
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
    let finished = true;
    if (conversation) {
      conversation.status = 'in-progress';
      conversation.callSid = call.sid;
      conversation.streamSid = twilioSid('MZ');
      conversation.script = script;
      if (call.mode === 'elevenlabs') await this.awaitTranscription(call);
      plan = planConversation(script, conversation.dynamicVariables);
      finished = await this.playSpeech(call, speechEvents(plan), answeredAtMs, 0);
    }
    if (finished) finished = await this.advanceUnlessUpdated(call, answeredAtMs + plan.hangupMs, 0);
    if (!finished) {
      // A call update replaced the agent's TwiML: its stream (and its side of the conversation) ends here.
      const cutAtMs = call.clockMs - answeredAtMs;
      plan = { utterances: plan.utterances.filter((u) => u.endMs <= cutAtMs), hangupMs: cutAtMs };
      await this.intervene(call, conversation?.dynamicVariables ?? {});
    }
    call.status = 'completed';
    call.endTime = new Date(call.dateCreated.getTime() + call.clockMs);
    call.durationSecs = Math.round((finished ? plan.hangupMs : call.clockMs - answeredAtMs) / 1000);
    this.deps.transcriptions.stopAll(call);
    status.emit('completed');
    if (conversation) await this.finishConversation(call, conversation, plan);
  }

  /**
   * Plays timed speech (`atMs` after `baseMs` on the call clock). Stops, returning false, as soon as the call has
   * more than `seen` updates (a takeover or end replaced what was playing).
   */
  private async playSpeech(
    call: CallRecord,
    events: SpeechEvent[],
    baseMs: number,
    seen: number,
  ): Promise<boolean> {
    for (const event of events) {
      if (!(await this.advanceUnlessUpdated(call, baseMs + event.atMs, seen))) return false;
      const confidence = Math.round((0.86 + call.random() * 0.13) * 1e7) / 1e7;
      this.deps.transcriptions.heard(call, { ...event.speech, confidence });
    }
    return true;
  }

  /** Advances the call clock to `ms`; returns false at once when the call has (or gets) more than `seen` updates. */
  private async advanceUnlessUpdated(call: CallRecord, ms: number, seen: number): Promise<boolean> {
    if (call.interrupts.length > seen) return false;
    let wake: () => void = () => undefined;
    const updated = new Promise<'updated'>((resolve) => (wake = () => resolve('updated')));
    call.onInterrupt = wake;
    const slept = this.deps.scheduler.sleep(Math.max(0, ms - call.clockMs)).then(() => 'slept' as const);
    // The sleep may outlive the race (an update won it); its rejection on close() must not go unhandled.
    slept.catch(() => undefined);
    try {
      if ((await Promise.race([slept, updated])) === 'updated') return false;
    } finally {
      call.onInterrupt = null;
    }
    call.clockMs = Math.max(call.clockMs, ms);
    return call.interrupts.length <= seen;
  }

  /**
   * Acts on the call's updates in order: the `<Say>` notice (outbound track), then for a `<Dial>` the scripted human
   * conversation (dispatcher on the outbound track, driver inbound) until the dispatcher hangs up; a hang-up update
   * ends after its notice. A newer update (e.g. an end during the human conversation) cuts the current one short.
   */
  private async intervene(call: CallRecord, variables: Readonly<Record<string, unknown>>): Promise<void> {
    for (let index = 1; index <= call.interrupts.length; index += 1) {
      const update = call.interrupts[index - 1];
      if (!update) break;
      // Speech after an update is never stamped before the wall-clock moment it was asked for (callrelay records
      // the takeover time and labels later outbound speech as the dispatcher's).
      call.clockMs = Math.max(call.clockMs, Date.now() - call.dateCreated.getTime());
      const noticePlan = update.notice
        ? planTurns([{ at: 0, speaker: 'agent', text: update.notice }], {}, {}, undefined)
        : { utterances: [], hangupMs: 0 };
      const start = call.clockMs;
      if (!(await this.playSpeech(call, speechEvents(noticePlan), start, index))) continue;
      if (update.kind === 'hangup') return;
      const answerMs = call.clockMs + TAKEOVER_CONVERSATION.dispatcherAnswersAfter * 1000;
      const human = planTurns(
        TAKEOVER_CONVERSATION.turns,
        variables,
        call.script.defaults,
        TAKEOVER_CONVERSATION.hangupAfter,
      );
      if (!(await this.playSpeech(call, speechEvents(human), answerMs, index))) continue;
      if (!(await this.advanceUnlessUpdated(call, answerMs + human.hangupMs, index))) continue;
      return;
    }
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
