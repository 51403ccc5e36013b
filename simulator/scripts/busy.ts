// Script: the line is busy; it never rings.
import { DEFAULT_VARIABLES } from './defaults.ts';
import type { CallScript } from './script.ts';

export const busy: CallScript = {
  name: 'busy',
  outcome: { kind: 'unanswered', status: 'busy', after: 2, sipResponseCode: 486 },
  turns: [],
  callResult: 'busy',
  terminationReason: 'busy',
  defaults: DEFAULT_VARIABLES,
};
