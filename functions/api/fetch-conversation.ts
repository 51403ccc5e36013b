// POST /driver_data/conversations/{conversationId}/fetch: pull a conversation from ElevenLabs and reconcile it.
import type { Principal } from '../../core/auth/principal.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import type { Call } from '../../core/domain/call.ts';
import { CALL_ID_VARIABLE } from '../../core/domain/dynamic-variables.ts';
import { AppError } from '../../core/support/errors.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import type { ConversationSnapshot, ConversationSource } from '../../core/ports/voice-agent.ts';
import { reconcileConversation } from '../../core/operations/conversation-reconciler.ts';
import { isCallId } from '../../core/domain/call-id.ts';
import type { FetchConversationResponse } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';

export interface FetchConversationDeps {
  verifyToken: TokenVerifier;
  store: CallStore;
  bus: EventBus;
  conversations: ConversationSource;
}

const NOT_FOUND = 'conversation not found';

/**
 * Reconciles exactly like the `post_call_transcription` webhook (`reconcileConversation`): webhook then fetch (or
 * fetch then webhook) stores the transcript once. Only a final conversation (`done`/`failed`) is stored; earlier,
 * the current data is returned without storing.
 * The conversation must belong to a call of the caller's org (by conversationId, the `callrelay_call_id` dynamic
 * variable, or the Twilio CallSid); otherwise 404, as for a conversation ElevenLabs does not know.
 */
export function createFetchConversationHandler(deps: FetchConversationDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, { logger }, principal) => {
    const conversationId = req.params.conversationId ?? '';
    if (!isCallId(conversationId)) throw new AppError('not_found', NOT_FOUND);
    const known = await callByConversation(deps.store, principal, conversationId);
    const snapshot = await deps.conversations.getConversation(conversationId);
    if (!snapshot) throw new AppError('not_found', NOT_FOUND);
    let call = known ?? (await callOfSnapshot(deps.store, principal, snapshot));
    if (!call) throw new AppError('not_found', NOT_FOUND);
    call = await deps.store.linkProviderIds(call.callId, {
      conversationId,
      ...(snapshot.callSid ? { callSid: snapshot.callSid } : {}),
    });
    const reconciled = await reconcileConversation({ ...deps, logger }, call, snapshot);
    logger.info('conversation fetched', { callId: call.callId, conversationId, reconciled });
    return json(200, {
      callId: call.callId,
      conversationId,
      status: snapshot.conversationStatus,
      transcript: snapshot.turns,
      analysis: {
        summary: snapshot.summary ?? null,
        callSuccessful: snapshot.callSuccessful ?? null,
        dataCollection: snapshot.dataCollection,
      },
      reconciled,
    } satisfies FetchConversationResponse);
  });
}

async function callByConversation(
  store: CallStore,
  principal: Principal,
  conversationId: string,
): Promise<Call | undefined> {
  return (await store.listCalls(principal.org, { conversationId }, { limit: 1 })).calls[0];
}

/** A call of the caller's org the conversation names through callrelay's dynamic variable or its CallSid. */
async function callOfSnapshot(
  store: CallStore,
  principal: Principal,
  s: ConversationSnapshot,
): Promise<Call | undefined> {
  const callId = s.dynamicVariables[CALL_ID_VARIABLE];
  if (isCallId(callId)) {
    const call = await store.getCall(callId);
    if (call?.orgId === principal.org) return call;
  }
  if (s.callSid) return (await store.listCalls(principal.org, { callSid: s.callSid }, { limit: 1 })).calls[0];
  return undefined;
}
