// ElevenLabs Agents API subset: Twilio outbound-call, register-call and GET conversation, with ElevenLabs' errors.
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CallPlayer } from './call-player.ts';
import { newCallRecord } from './call-factory.ts';
import { conversationWire } from './conversation.ts';
import { headerValue, json, xml, type SimRequest, type SimResponse } from './http-io.ts';
import { conversationId as newConversationId } from './ids.ts';
import type { Random } from './rng.ts';
import type { CallScript } from './scripts/script.ts';
import type { ConversationRecord, SimulatorState } from './state.ts';
import { registerCallTwiml } from './twiml.ts';
import type { DialMode, ScriptContext } from './types.ts';

/** The caller id of the imported Twilio number an outbound-call dials from (Twilio's magic test number). */
export const AGENT_PHONE_NUMBER = '+15005550006';

export interface ElevenLabsApiDeps {
  state: SimulatorState;
  player: CallPlayer;
  apiKey: string;
  /** Base of the `<Stream url>` register-call answers with. */
  streamUrl: string;
  chooseScript(ctx: ScriptContext): CallScript;
  nextRandom(): Random;
}

const clientData = z
  .object({
    dynamic_variables: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .nullish(),
    user_id: z.string().nullish(),
  })
  .loose();

const outboundCallBody = z.object({
  agent_id: z.string(),
  agent_phone_number_id: z.string(),
  to_number: z.string(),
  conversation_initiation_client_data: clientData.nullish(),
});

const registerCallBody = z.object({
  agent_id: z.string(),
  from_number: z.string(),
  to_number: z.string(),
  direction: z.enum(['inbound', 'outbound']).nullish(),
  conversation_initiation_client_data: clientData.nullish(),
});

export function elevenLabsError(status: number, code: string, message: string): SimResponse {
  return json(status, { detail: { status: code, message } });
}

/** FastAPI-style 422 body, as ElevenLabs answers schema errors. */
function validationError(issues: z.core.$ZodIssue[]): SimResponse {
  return json(422, {
    detail: issues.map((i) => ({
      type: i.code === 'invalid_type' && i.message.includes('undefined') ? 'missing' : i.code,
      loc: ['body', ...i.path.map(String)],
      msg: i.message,
    })),
  });
}

function parseJson<T>(
  schema: z.ZodType<T>,
  raw: string,
): { ok: true; value: T } | { ok: false; response: SimResponse } {
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      response: json(422, { detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }] }),
    };
  }
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, response: validationError(parsed.error.issues) };
}

export class ElevenLabsApi {
  constructor(private readonly deps: ElevenLabsApiDeps) {}

  /** 401 unless `xi-api-key` matches. Null when allowed. */
  authorize(req: SimRequest): SimResponse | null {
    const key = headerValue(req.headers, 'xi-api-key');
    if (!key) {
      return elevenLabsError(
        401,
        'needs_authorization',
        'Neither authorization header nor xi-api-key received.',
      );
    }
    const a = Buffer.from(key);
    const b = Buffer.from(this.deps.apiKey);
    return a.length === b.length && timingSafeEqual(a, b)
      ? null
      : elevenLabsError(401, 'invalid_api_key', 'Invalid API key');
  }

  outboundCall(req: SimRequest): SimResponse {
    const parsed = parseJson(outboundCallBody, req.rawBody);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
    const conversation = this.newConversation('elevenlabs', {
      agentId: body.agent_id,
      from: AGENT_PHONE_NUMBER,
      to: body.to_number,
      phoneNumberId: body.agent_phone_number_id,
      clientData: body.conversation_initiation_client_data ?? {},
    });
    const ctx: ScriptContext = {
      mode: 'elevenlabs',
      to: body.to_number,
      from: AGENT_PHONE_NUMBER,
      dynamicVariables: conversation.dynamicVariables,
    };
    const call = newCallRecord({
      mode: 'elevenlabs',
      to: body.to_number,
      from: AGENT_PHONE_NUMBER,
      script: this.deps.chooseScript(ctx),
      random: this.deps.nextRandom(),
      conversationId: conversation.conversationId,
    });
    conversation.callSid = call.sid;
    this.deps.state.calls.set(call.sid, call);
    this.deps.player.start(call);
    return json(200, {
      success: true,
      message: 'Success',
      conversation_id: conversation.conversationId,
      callSid: call.sid,
    });
  }

  /** Remembers a conversation for a call callrelay placed and answers the TwiML that connects it to the agent. */
  registerCall(req: SimRequest): SimResponse {
    const parsed = parseJson(registerCallBody, req.rawBody);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
    const conversation = this.newConversation('register', {
      agentId: body.agent_id,
      from: body.from_number,
      to: body.to_number,
      phoneNumberId: null,
      clientData: body.conversation_initiation_client_data ?? {},
    });
    return xml(200, registerCallTwiml(this.deps.streamUrl, conversation.conversationId));
  }

  getConversation(conversationId: string): SimResponse {
    const conversation = this.deps.state.conversations.get(conversationId);
    return conversation
      ? json(200, conversationWire(conversation))
      : elevenLabsError(404, 'conversation_not_found', 'Conversation not found');
  }

  private newConversation(
    mode: DialMode,
    input: {
      agentId: string;
      from: string;
      to: string;
      phoneNumberId: string | null;
      clientData: z.infer<typeof clientData>;
    },
  ): ConversationRecord {
    const conversation: ConversationRecord = {
      conversationId: newConversationId(),
      agentId: input.agentId,
      mode,
      status: 'initiated',
      fromNumber: input.from,
      toNumber: input.to,
      phoneNumberId: input.phoneNumberId,
      clientData: input.clientData,
      dynamicVariables: input.clientData.dynamic_variables ?? {},
      userId: input.clientData.user_id ?? null,
      callSid: null,
      streamSid: null,
      createdAtMs: Date.now(),
      transcript: [],
      durationSecs: 0,
      script: null,
      callResult: null,
      failureReason: null,
    };
    this.deps.state.conversations.set(conversation.conversationId, conversation);
    return conversation;
  }
}
