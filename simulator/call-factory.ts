// Creates the Twilio call record both dial paths share (callrelay's calls.create and ElevenLabs outbound-call).
import { twilioSid } from './ids.ts';
import type { Random } from './rng.ts';
import type { CallScript } from './scripts/script.ts';
import type { CallRecord } from './state.ts';
import type { DialMode } from './types.ts';

export interface NewCall {
  mode: DialMode;
  to: string;
  from: string;
  script: CallScript;
  random: Random;
  url?: string | null;
  method?: 'GET' | 'POST';
  twiml?: string | null;
  statusCallback?: string | null;
  statusCallbackMethod?: 'GET' | 'POST';
  statusCallbackEvents?: ReadonlySet<string>;
  machineDetection?: string | null;
  conversationId?: string | null;
}

export function newCallRecord(input: NewCall): CallRecord {
  return {
    sid: twilioSid('CA'),
    mode: input.mode,
    to: input.to,
    from: input.from,
    status: 'queued',
    script: input.script,
    url: input.url ?? null,
    method: input.method ?? 'POST',
    twiml: input.twiml ?? null,
    statusCallback: input.statusCallback ?? null,
    statusCallbackMethod: input.statusCallbackMethod ?? 'POST',
    statusCallbackEvents: input.statusCallbackEvents ?? new Set(['completed']),
    machineDetection: input.machineDetection ?? null,
    answeredBy: null,
    dateCreated: new Date(),
    startTime: null,
    endTime: null,
    durationSecs: null,
    conversationId: input.conversationId ?? null,
    sessions: [],
    clockMs: 0,
    statusSequence: 0,
    statusLane: null,
    random: input.random,
    onSessionStarted: null,
    interrupts: [],
    onInterrupt: null,
  };
}
