// The `by-number` script choice: the dialed number's last digit picks the script, so one run can mix outcomes.
import { SCRIPT_NAMES, type ScriptName } from './script.ts';

/** Script choice for new calls: one script for all, or `by-number` (see {@link scriptForNumber}). */
export type ScriptSelection = ScriptName | 'by-number';

/** Every value `SIMULATOR_SCRIPT` / the `script` option accepts: a script name or `by-number`. */
export const SCRIPT_SELECTIONS: readonly ScriptSelection[] = [...SCRIPT_NAMES, 'by-number'];

/** The script per last digit of the dialed number; digits not listed play `acknowledged`. */
export const BY_NUMBER_DIGITS: Readonly<Record<string, ScriptName | 'no-answer-then-acknowledged'>> = {
  '1': 'acknowledged',
  '2': 'no-answer',
  '3': 'busy',
  '4': 'voicemail',
  '5': 'cut-short',
  '6': 'no-answer-then-acknowledged',
  '7': 'opt-out',
  '8': 'disputed',
};

/**
 * The script of a call to `to` under `by-number`. `priorCalls` is how many calls the simulator already placed to
 * that number: digit 6 rings out on the first attempt only, so retry logic can be exercised end to end.
 */
export function scriptForNumber(to: string, priorCalls: number): ScriptName {
  const choice = BY_NUMBER_DIGITS[to.slice(-1)] ?? 'acknowledged';
  if (choice === 'no-answer-then-acknowledged') return priorCalls === 0 ? 'no-answer' : 'acknowledged';
  return choice;
}

/** Counts calls per dialed number (every dial mode); `next` answers how many came before this one. */
export class DialCounter {
  private readonly counts = new Map<string, number>();

  next(to: string): number {
    const prior = this.counts.get(to) ?? 0;
    this.counts.set(to, prior + 1);
    return prior;
  }
}
