// Script: the phone rings out; nobody answers.
import { DEFAULT_VARIABLES } from './defaults.ts';
import type { CallScript } from './script.ts';

export const noAnswer: CallScript = {
  name: 'no-answer',
  ringAfter: 1,
  outcome: { kind: 'unanswered', status: 'no-answer', after: 31, sipResponseCode: 487 },
  turns: [],
  callResult: 'no_answer',
  terminationReason: 'no-answer',
  defaults: DEFAULT_VARIABLES,
};
