// Starts Twilio real-time transcription on a call placed by ElevenLabs, retrying in the background until it is answered.
import { isTerminal } from '../domain/call.ts';
import { dedupeKeys } from '../domain/dedupe-key.ts';
import type { Logger } from '../support/log.ts';
import type { CallStore } from '../ports/call-store.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Telephony } from '../ports/telephony.ts';
import { recordCallEvent } from './record-call-event.ts';

export interface TranscriptionRetryPolicy {
  /** First wait after a "not in progress" answer; doubles per attempt. */
  initialDelayMs: number;
  /** Cap of one wait. */
  maxDelayMs: number;
  /** Give up after this long: a driver who has not answered by then will not (ringing times out at ~60 s). */
  maxTotalMs: number;
}

/** Defaults: 500 ms doubling to 5 s, for at most 2 minutes. */
export const DEFAULT_TRANSCRIPTION_RETRY: TranscriptionRetryPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 5000,
  maxTotalMs: 120_000,
};

export interface TranscriptionStarterDeps {
  telephony: Telephony;
  store: CallStore;
  bus: EventBus;
  logger: Logger;
  policy?: TranscriptionRetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs one background task per call: try `startTranscription`; on `not_in_progress` wait (bounded exponential
 * backoff) and retry, stopping early once the call is terminal. On success it records `in-progress` (a realtime
 * operation was accepted, so the call is answered). Only Twilio 21220 is retried: a failed create might have started
 * a transcription, and a second one would duplicate every segment.
 *
 * The task lives in this process. That fits the local server and a Cloud Run-style instance with CPU allocated
 * after the response; a production Cloud Function should enqueue it on Cloud Tasks instead (same call, same policy).
 */
export class TranscriptionStarter {
  private readonly pending = new Set<Promise<void>>();
  private readonly policy: TranscriptionRetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: TranscriptionStarterDeps) {
    this.policy = deps.policy ?? DEFAULT_TRANSCRIPTION_RETRY;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Schedules the task and returns at once; the task never rejects. */
  start(callId: string, callSid: string): void {
    const task = this.run(callId, callSid).catch((err: unknown) => {
      this.deps.logger.error('transcription start failed', { callId, error: err });
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Resolves when every scheduled task has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async run(callId: string, callSid: string): Promise<void> {
    const log = this.deps.logger.child({ callId });
    let delay = this.policy.initialDelayMs;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const result = await this.deps.telephony.startTranscription({ callId, callSid });
      if (result === 'started') {
        log.info('transcription started', { attempt });
        await recordCallEvent(
          this.deps,
          callId,
          {
            dedupeKey: dedupeKeys.internal(callId, 'transcription_started'),
            body: { kind: 'call_status', status: 'in-progress', source: 'twilio' },
          },
          'log',
        );
        return;
      }
      if (waited + delay > this.policy.maxTotalMs) {
        log.warn('call never reached in-progress; transcription not started', { attempt, waitedMs: waited });
        return;
      }
      await this.sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, this.policy.maxDelayMs);
      const call = await this.deps.store.getCall(callId);
      if (!call || isTerminal(call.status)) {
        log.info('call ended before it was answered; transcription not started', { attempt });
        return;
      }
    }
  }
}
