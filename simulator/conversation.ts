// ElevenLabs conversation wire model (GET /v1/convai/conversations/{id}, post-call webhook `data`) and its webhooks.
import { ELEVENLABS_RETRY, NO_RETRY, type Delivery } from './delivery.ts';
import { fillTemplate } from './scripts/script.ts';
import { elevenLabsSignature } from './signing.ts';
import type { ConversationRecord } from './state.ts';

export const AGENT_NAME = 'Dispatch check-call agent (simulated)';

/** Custom variables as sent, plus the `system__` ones ElevenLabs adds for Twilio calls. */
function dynamicVariables(conv: ConversationRecord): Record<string, unknown> {
  return {
    ...conv.dynamicVariables,
    system__agent_id: conv.agentId,
    system__conversation_id: conv.conversationId,
    system__caller_id: conv.fromNumber,
    system__called_number: conv.toNumber,
    ...(conv.callSid ? { system__call_sid: conv.callSid } : {}),
  };
}

function analysis(conv: ConversationRecord): Record<string, unknown> | null {
  const planned = conv.script?.analysis;
  if (conv.status !== 'done' || !conv.script || !planned) return null;
  const data = Object.fromEntries(
    Object.entries(planned.dataCollection).map(([id, item]) => [
      id,
      { data_collection_id: id, value: item.value, json_schema: null, rationale: item.rationale },
    ]),
  );
  return {
    evaluation_criteria_results: {},
    data_collection_results: data,
    call_successful: planned.callSuccessful,
    transcript_summary: fillTemplate(planned.summary, conv.dynamicVariables, conv.script.defaults),
    call_summary_title: planned.title,
  };
}

/** `GetConversationResponseModel` in wire (snake_case) form. */
export function conversationWire(conv: ConversationRecord): Record<string, unknown> {
  const startSecs = Math.floor(conv.createdAtMs / 1000);
  const connected = conv.transcript.length > 0;
  return {
    agent_id: conv.agentId,
    agent_name: AGENT_NAME,
    conversation_id: conv.conversationId,
    status: conv.status,
    user_id: conv.userId,
    branch_id: null,
    version_id: null,
    transcript: conv.transcript.map((t) => ({
      role: t.role,
      message: t.message,
      tool_calls: [],
      tool_results: [],
      feedback: null,
      time_in_call_secs: t.time_in_call_secs,
      conversation_turn_metrics: null,
      interrupted: t.interrupted,
      source_medium: 'audio',
    })),
    metadata: {
      start_time_unix_secs: startSecs,
      accepted_time_unix_secs: startSecs,
      call_duration_secs: conv.durationSecs,
      cost: Math.round(conv.durationSecs * 10),
      termination_reason:
        conv.status === 'done' || conv.status === 'failed' ? (conv.script?.terminationReason ?? '') : '',
      error: null,
      main_language: 'en',
      authorization_method: 'authorization_header',
      feedback: { overall_score: null, likes: 0, dislikes: 0 },
      // The SDK schema requires these strings; the call sid exists once Twilio has the call, a stream once answered.
      ...(conv.callSid
        ? {
            phone_call: {
              type: 'twilio',
              direction: 'outbound',
              phone_number_id: conv.phoneNumberId ?? '',
              agent_number: conv.fromNumber,
              external_number: conv.toNumber,
              stream_sid: conv.streamSid ?? '',
              call_sid: conv.callSid,
              ...(conv.callResult ? { call_result: conv.callResult } : {}),
            },
          }
        : {}),
      batch_call: null,
      timezone: null,
    },
    has_audio: connected,
    has_user_audio: connected,
    has_response_audio: connected,
    has_auxiliary_audio: false,
    analysis: analysis(conv),
    conversation_initiation_client_data: {
      conversation_config_override: conv.clientData.conversation_config_override ?? {},
      custom_llm_extra_body: conv.clientData.custom_llm_extra_body ?? {},
      user_id: conv.userId,
      source_info: conv.clientData.source_info ?? null,
      branch_id: null,
      environment: null,
      dynamic_variables: dynamicVariables(conv),
    },
  };
}

/** `{type, event_timestamp, data}` signed with ElevenLabs-Signature at each attempt. */
function webhook(
  type: string,
  conv: ConversationRecord,
  data: Record<string, unknown>,
  target: { url: string; secret: string },
): Delivery {
  const body = JSON.stringify({ type, event_timestamp: Math.floor(Date.now() / 1000), data });
  return {
    kind: 'elevenlabs',
    publicUrl: target.url,
    callSid: conv.callSid,
    conversationId: conv.conversationId,
    label: type,
    payload: JSON.parse(body) as unknown,
    // Retries exist only for post_call_transcription (when enabled on the webhook).
    policy: type === 'post_call_transcription' ? ELEVENLABS_RETRY : NO_RETRY,
    build: () => ({
      method: 'POST',
      url: target.url,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'ElevenLabs-Webhooks/1.0',
        'ElevenLabs-Signature': elevenLabsSignature(target.secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
    }),
  };
}

export function postCallTranscription(
  conv: ConversationRecord,
  target: { url: string; secret: string },
): Delivery {
  return webhook('post_call_transcription', conv, conversationWire(conv), target);
}

/** The call never connected; `statusBody` is the Twilio StatusCallback ElevenLabs itself received. */
export function callInitiationFailure(
  conv: ConversationRecord,
  statusBody: Record<string, string>,
  target: { url: string; secret: string },
): Delivery {
  return webhook(
    'call_initiation_failure',
    conv,
    {
      agent_id: conv.agentId,
      conversation_id: conv.conversationId,
      failure_reason: conv.failureReason ?? 'unknown',
      metadata: { type: 'twilio', body: statusBody },
    },
    target,
  );
}
