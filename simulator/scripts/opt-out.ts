// Script: the driver answers and asks dispatch to stop calling him; the agent confirms and ends the call.
import { DEFAULT_VARIABLES } from './defaults.ts';
import type { CallScript } from './script.ts';

export const optOut: CallScript = {
  name: 'opt-out',
  ringAfter: 1,
  outcome: { kind: 'answered', answeredAfter: 4, answeredBy: 'human', hangupAfter: 22, hungUpBy: 'agent' },
  turns: [
    {
      at: 0.6,
      speaker: 'agent',
      text: 'Hi {{driver_name}}, this is Riley from dispatch. Do you have a minute?',
    },
    {
      at: 4.0,
      speaker: 'driver',
      text: 'No. Stop calling me with these automated calls. Take this number off your list.',
    },
    {
      at: 9.5,
      speaker: 'agent',
      text: 'Understood. I will make sure you are not called again by this line. Your dispatcher will reach you directly.',
    },
    { at: 17.0, speaker: 'driver', text: 'Fine. Bye.' },
    { at: 19.0, speaker: 'agent', text: 'Goodbye.' },
  ],
  callResult: 'answered',
  terminationReason: 'Call ended by agent',
  analysis: {
    callSuccessful: 'failure',
    title: 'Driver asked not to be called again',
    summary:
      '{{driver_name}} answered but asked not to receive these calls anymore before the items were reviewed. ' +
      'The agent confirmed and ended the call.',
    dataCollection: {
      acknowledged: { value: false, rationale: 'The driver declined to discuss the items.' },
      eta: { value: null, rationale: 'No ETA was given.' },
      photos_promised: { value: null, rationale: 'The reminder was not discussed.' },
      escalation_needed: {
        value: false,
        rationale: 'The driver asked to be contacted by his dispatcher instead.',
      },
      opt_out: {
        value: true,
        rationale: 'The driver said to stop calling him and to take his number off the list.',
      },
    },
  },
  defaults: DEFAULT_VARIABLES,
};
