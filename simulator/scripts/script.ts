// The data shape of a scripted driver call: timing, who says what, and what the agent platform concludes.

export type ScriptName =
  'acknowledged' | 'no-answer' | 'busy' | 'voicemail' | 'cut-short' | 'opt-out' | 'disputed';

export const SCRIPT_NAMES: readonly ScriptName[] = [
  'acknowledged',
  'no-answer',
  'busy',
  'voicemail',
  'cut-short',
  'opt-out',
  'disputed',
];

/** One utterance. Times are script seconds; the simulator's `speed` scales them into wall-clock delays. */
export interface ScriptTurn {
  /** Seconds after the call is answered when the speaker starts talking. */
  at: number;
  /**
   * `agent` is the ElevenLabs agent (Twilio `outbound_track`); `driver` is the called party (`inbound_track`);
   * `dispatcher` is the human a takeover dials in (also `outbound_track`, see `takeover.ts`).
   */
  speaker: 'agent' | 'driver' | 'dispatcher';
  /** `{{name}}` placeholders are filled from the conversation's dynamic variables, else the script's defaults. */
  text: string;
  /** The speaker is cut off after this many words (the call drops mid-sentence). */
  cutAfterWords?: number;
}

export interface DataCollectionItem {
  value: string | number | boolean | null;
  rationale: string;
}

/** How the dial ends when nobody (or a machine) picks up vs. when the call connects. */
export type ScriptOutcome =
  | {
      kind: 'answered';
      /** Seconds from dial until answered. */
      answeredAfter: number;
      answeredBy: 'human' | 'machine';
      /** Seconds after answer when the call ends. */
      hangupAfter: number;
      hungUpBy: 'agent' | 'driver';
    }
  | {
      kind: 'unanswered';
      status: 'busy' | 'no-answer' | 'failed';
      /** Seconds from dial until Twilio gives up. */
      after: number;
      sipResponseCode: number;
    };

export interface CallScript {
  name: ScriptName;
  /** Seconds from dial until Twilio reports `ringing`; absent when the line never rings (busy). */
  ringAfter?: number;
  outcome: ScriptOutcome;
  turns: readonly ScriptTurn[];
  /** ElevenLabs `metadata.phone_call.call_result`. */
  callResult: 'answered' | 'voicemail' | 'busy' | 'no_answer' | 'failed';
  terminationReason: string;
  analysis?: {
    callSuccessful: 'success' | 'failure' | 'unknown';
    title: string;
    /** May use `{{name}}` placeholders like the turns. */
    summary: string;
    dataCollection: Readonly<Record<string, DataCollectionItem>>;
  };
  /** Fallbacks for placeholders the caller did not send as dynamic variables. */
  defaults: Readonly<Record<string, string>>;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Fills `{{name}}` placeholders; multi-line values (a numbered violations list) are spoken as one line. */
export function fillTemplate(
  text: string,
  variables: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, string>>,
): string {
  return text
    .replace(PLACEHOLDER, (_match, name: string) => {
      const value = variables[name];
      const given = value === undefined || value === null || value === '' ? undefined : String(value);
      return given ?? defaults[name] ?? '';
    })
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}
