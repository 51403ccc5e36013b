// Turns a script into timed speech: when each utterance starts and ends, its partial results, when the call ends.
import { fillTemplate, type CallScript, type ScriptTurn } from './scripts/script.ts';

/** Speaking pace: ~170 words per minute. */
export const WORD_MS = 350;
/** Minimum pause between two utterances, so a long filled-in line pushes the rest of the call back. */
export const TURN_GAP_MS = 400;

export interface PlannedUtterance {
  speaker: ScriptTurn['speaker'];
  /** What was actually said (cut lines end early). */
  text: string;
  startMs: number;
  endMs: number;
  cut: boolean;
  /** Growing prefixes Twilio would report as partial results, with their times. */
  partials: { atMs: number; text: string; stability: number }[];
}

export interface ConversationPlan {
  utterances: PlannedUtterance[];
  /** Milliseconds after the answer when the call ends. */
  hangupMs: number;
}

export function planConversation(
  script: CallScript,
  variables: Readonly<Record<string, unknown>>,
): ConversationPlan {
  const hangupAfter = script.outcome.kind === 'answered' ? script.outcome.hangupAfter : undefined;
  return planTurns(script.turns, variables, script.defaults, hangupAfter);
}

/** Times `turns` (script seconds from their start); the plan ends at `hangupAfter` or just after the last word. */
export function planTurns(
  turns: readonly ScriptTurn[],
  variables: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, string>>,
  hangupAfter: number | undefined,
): ConversationPlan {
  const utterances: PlannedUtterance[] = [];
  let shiftMs = 0;
  let lastEndMs = 0;
  for (const turn of turns) {
    const words = fillTemplate(turn.text, variables, defaults).split(/\s+/).filter(Boolean);
    const spoken = turn.cutAfterWords === undefined ? words : words.slice(0, turn.cutAfterWords);
    const startMs = Math.max(turn.at * 1000 + shiftMs, utterances.length ? lastEndMs + TURN_GAP_MS : 0);
    shiftMs = startMs - turn.at * 1000;
    const endMs = startMs + spoken.length * WORD_MS;
    const partials = [1, 2]
      .map((k) => Math.ceil((spoken.length * k) / 3))
      .filter((n, i, all) => n > 0 && n < spoken.length && all.indexOf(n) === i)
      .map((n) => ({
        atMs: startMs + n * WORD_MS,
        text: spoken.slice(0, n).join(' '),
        stability: Math.min(0.95, 0.5 + n / (2 * spoken.length)),
      }));
    utterances.push({
      speaker: turn.speaker,
      text: spoken.join(' '),
      startMs,
      endMs,
      cut: turn.cutAfterWords !== undefined && spoken.length < words.length,
      partials,
    });
    lastEndMs = endMs;
  }
  const scripted = hangupAfter !== undefined ? hangupAfter * 1000 + shiftMs : 0;
  return { utterances, hangupMs: Math.max(scripted, lastEndMs + 100) };
}
