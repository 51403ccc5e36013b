// Script: the driver answers, hears the items and disputes the violation; nothing is acknowledged, no escalation.
import { DEFAULT_VARIABLES } from './defaults.ts';
import type { CallScript } from './script.ts';

export const disputed: CallScript = {
  name: 'disputed',
  ringAfter: 1,
  outcome: { kind: 'answered', answeredAfter: 4, answeredBy: 'human', hangupAfter: 36, hungUpBy: 'agent' },
  turns: [
    {
      at: 0.6,
      speaker: 'agent',
      text: 'Hi {{driver_name}}, this is Riley from dispatch. Do you have a minute?',
    },
    { at: 4.2, speaker: 'driver', text: 'Sure, what is it?' },
    { at: 6.0, speaker: 'agent', text: 'I have a few items for you. {{violations}}' },
    {
      at: 16.5,
      speaker: 'driver',
      text: 'That is not right. My display shows 37 degrees, the reefer is fine. Your sensor must be off.',
    },
    {
      at: 23.0,
      speaker: 'agent',
      text: 'Okay, I will note that your display reads 37 degrees and pass it on to your dispatcher.',
    },
    { at: 29.5, speaker: 'driver', text: 'Yeah, do that. I am not changing anything.' },
    { at: 33.0, speaker: 'agent', text: 'Noted. Thanks, drive safe.' },
  ],
  callResult: 'answered',
  terminationReason: 'Call ended by agent',
  analysis: {
    callSuccessful: 'failure',
    title: 'Driver disputes the temperature violation',
    summary:
      'The agent reviewed the reefer temperature violation with {{driver_name}}. The driver disputed it, saying ' +
      'his display reads 37 degrees and the sensor must be wrong, and did not agree to change anything.',
    dataCollection: {
      acknowledged: {
        value: false,
        rationale: 'The driver said the violation is not right and he will not change anything.',
      },
      eta: { value: null, rationale: 'No ETA was given.' },
      photos_promised: { value: null, rationale: 'The driver did not respond to the reminder.' },
      escalation_needed: {
        value: false,
        rationale: 'The driver calmly disputed the reading; the note goes to his dispatcher.',
      },
      opt_out: { value: false, rationale: 'The driver did not ask to stop the calls.' },
    },
  },
  defaults: DEFAULT_VARIABLES,
};
