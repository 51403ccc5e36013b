// Stores a conversation fetched from ElevenLabs exactly as its post-call webhook would have: the one reconcile path
// of the fetch API and of the automatic reconciliation of missed webhooks.
import type { Call } from '../domain/call.ts';
import { conversationDrafts } from '../domain/elevenlabs-conversation.ts';
import type { Reconciled } from '../protocol/rest-api.ts';
import type { CallStore } from '../ports/call-store.ts';
import type { EventBus } from '../ports/event-bus.ts';
import { FINAL_CONVERSATION_STATUSES, type ConversationSnapshot } from '../ports/voice-agent.ts';
import type { Logger } from '../support/log.ts';
import { recordCallEvent } from './record-call-event.ts';

/**
 * Records the webhook's drafts (`conversationDrafts`, marked as coming from a fetch), so the same dedupe keys apply:
 * webhook then fetch (or fetch then webhook) stores the transcript once. Only a final conversation (`done`/`failed`)
 * is stored; earlier it answers `not_final` and stores nothing.
 */
export async function reconcileConversation(
  deps: { store: CallStore; bus: EventBus; logger: Logger },
  call: Call,
  snapshot: ConversationSnapshot,
): Promise<Reconciled> {
  if (!FINAL_CONVERSATION_STATUSES.has(snapshot.conversationStatus)) return 'not_final';
  let stored = false;
  for (const draft of conversationDrafts(snapshot, 'elevenlabs_fetch')) {
    const result = await recordCallEvent(deps, call.callId, draft, 'log');
    if (result.outcome === 'appended' && draft.body.kind === 'transcript') stored = true;
  }
  return stored ? 'stored' : 'already_stored';
}
