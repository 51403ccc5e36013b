// Script: voicemail picks up; the agent leaves a message and hangs up.
import { DEFAULT_VARIABLES } from './defaults.ts';
import type { CallScript } from './script.ts';

export const voicemail: CallScript = {
  name: 'voicemail',
  ringAfter: 1,
  outcome: { kind: 'answered', answeredAfter: 18, answeredBy: 'machine', hangupAfter: 24, hungUpBy: 'agent' },
  turns: [
    {
      at: 0.3,
      speaker: 'driver',
      text: 'The person you are trying to reach is not available. Please leave a message after the tone.',
    },
    {
      at: 7.0,
      speaker: 'agent',
      text: 'Hi {{driver_name}}, this is Riley from dispatch. Please call us back about your load when you are stopped.',
    },
  ],
  callResult: 'voicemail',
  terminationReason: 'Voicemail detected, message left',
  analysis: {
    callSuccessful: 'failure',
    title: 'Voicemail, message left',
    summary:
      'The call reached voicemail for {{driver_name}}. The agent left a message asking for a call back.',
    dataCollection: {
      acknowledged: { value: null, rationale: 'The driver was not reached.' },
      eta: { value: null, rationale: 'The driver was not reached.' },
      photos_promised: { value: null, rationale: 'The driver was not reached.' },
      escalation_needed: { value: false, rationale: 'A voicemail was left; retry later.' },
      opt_out: { value: false, rationale: 'The driver was not reached.' },
    },
  },
  defaults: DEFAULT_VARIABLES,
};
