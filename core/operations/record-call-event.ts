// The one write path for durable call events: append idempotently, then publish what is stored on the live bus.
import { publicCall } from '../domain/call.ts';
import { AppError, isAppError } from '../support/errors.ts';
import type { Logger } from '../support/log.ts';
import type { AppendResult, CallStore, EventDraft } from '../ports/call-store.ts';
import type { BusMessage, EventBus } from '../ports/event-bus.ts';

export interface RecorderDeps {
  store: CallStore;
  bus: EventBus;
  logger: Logger;
}

/**
 * What to do when the append committed but the publish failed:
 * - `reject` (provider webhooks): reject with `bus_unavailable` so the sender retries; the retry is a duplicate
 *   and republishes the stored event.
 * - `log` (events callrelay originates, e.g. `queued`): the event is durable, subscribers recover it by seq.
 */
export type PublishFailurePolicy = 'reject' | 'log';

/**
 * Persists first, publishes second: `appended` and `duplicate` both publish `{type:'event', event, call}` (so a retry
 * after a failed publish republishes), `ignored` publishes nothing. Store failures reject before anything is published.
 */
export async function recordCallEvent(
  deps: RecorderDeps,
  callId: string,
  draft: EventDraft,
  onPublishFailure: PublishFailurePolicy,
): Promise<AppendResult> {
  const result = await deps.store.append(callId, draft);
  if (result.outcome === 'ignored') return result;
  try {
    await publishMessage(deps.bus, { type: 'event', event: result.event, call: publicCall(result.call) });
  } catch (err) {
    if (onPublishFailure === 'reject') throw err;
    deps.logger.warn('live publish failed; the event is stored', {
      callId,
      seq: result.event.seq,
      error: err,
    });
  }
  return result;
}

/** Publishes one bus message; any failure surfaces as `AppError('bus_unavailable')`. */
export async function publishMessage(bus: EventBus, message: BusMessage): Promise<void> {
  try {
    await bus.publish(message);
  } catch (err) {
    if (isAppError(err) && err.code === 'bus_unavailable') throw err;
    throw new AppError('bus_unavailable', 'live bus publish failed', { cause: err });
  }
}
