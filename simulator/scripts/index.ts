// The catalogue of scripted calls, by name.
import { acknowledged } from './acknowledged.ts';
import { busy } from './busy.ts';
import { cutShort } from './cut-short.ts';
import { disputed } from './disputed.ts';
import { noAnswer } from './no-answer.ts';
import { optOut } from './opt-out.ts';
import type { CallScript, ScriptName } from './script.ts';
import { voicemail } from './voicemail.ts';

export const SCRIPTS: Readonly<Record<ScriptName, CallScript>> = {
  acknowledged,
  'no-answer': noAnswer,
  busy,
  voicemail,
  'cut-short': cutShort,
  'opt-out': optOut,
  disputed,
};

export { SCRIPT_NAMES, fillTemplate, type CallScript, type ScriptName, type ScriptTurn } from './script.ts';
export {
  BY_NUMBER_DIGITS,
  DialCounter,
  SCRIPT_SELECTIONS,
  scriptForNumber,
  type ScriptSelection,
} from './by-number.ts';
