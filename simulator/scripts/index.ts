// The catalogue of scripted calls, by name.
import { acknowledged } from './acknowledged.ts';
import { busy } from './busy.ts';
import { cutShort } from './cut-short.ts';
import { noAnswer } from './no-answer.ts';
import type { CallScript, ScriptName } from './script.ts';
import { voicemail } from './voicemail.ts';

export const SCRIPTS: Readonly<Record<ScriptName, CallScript>> = {
  acknowledged,
  'no-answer': noAnswer,
  busy,
  voicemail,
  'cut-short': cutShort,
};

export { SCRIPT_NAMES, fillTemplate, type CallScript, type ScriptName, type ScriptTurn } from './script.ts';
