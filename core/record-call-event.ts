// Appends a durable call event and publishes it (with the call snapshot) on the live bus when it was new.
import { publicCall } from './call.ts';
import type { Logger } from './log.ts';
import type { AppendResult, CallStore, EventDraft } from './ports/call-store.ts';
import type { EventBus } from './ports/event-bus.ts';

export interface RecorderDeps {
  store: CallStore;
  bus: EventBus;
  logger: Logger;
}

/**
 * Stores `draft` on the call, then publishes `{type:'event', event, call}` if it was appended now. A failed publish
 * is logged, not thrown: the event is durable and subscribers recover it from the store by seq.
 */
export async function recordCallEvent(deps: RecorderDeps, callId: string, draft: EventDraft): Promise<AppendResult> {
  const result = await deps.store.append(callId, draft);
  if (result.outcome === 'appended') {
    try {
      await deps.bus.publish({ type: 'event', event: result.event, call: publicCall(result.call) });
    } catch (err) {
      deps.logger.warn('live publish failed; event is stored', { callId, seq: result.event.seq, error: err });
    }
  }
  return result;
}
