// Script: the driver picks up, acknowledges the reefer temperature violation and the picture reminder, gives an ETA.
import { DEFAULT_VARIABLES } from './defaults.ts';
import type { CallScript } from './script.ts';

export const acknowledged: CallScript = {
  name: 'acknowledged',
  ringAfter: 1,
  outcome: { kind: 'answered', answeredAfter: 4, answeredBy: 'human', hangupAfter: 41, hungUpBy: 'agent' },
  turns: [
    {
      at: 0.6,
      speaker: 'agent',
      text: 'Hi {{driver_name}}, this is Riley from dispatch. Do you have a minute?',
    },
    { at: 4.2, speaker: 'driver', text: 'Yeah, I am parked at the truck stop. Go ahead.' },
    { at: 7.0, speaker: 'agent', text: 'Thanks. I have a few items for you. {{violations}}' },
    { at: 17.5, speaker: 'driver', text: 'Got it. I will set the reefer down to 38 right now.' },
    { at: 21.3, speaker: 'agent', text: 'Great. And can you send the loaded trailer pictures?' },
    { at: 24.8, speaker: 'driver', text: 'Yes, I will send the pictures in ten minutes.' },
    { at: 28.1, speaker: 'agent', text: 'Perfect. What is your ETA to the receiver?' },
    { at: 31.0, speaker: 'driver', text: 'About two hours, so around 3:30 this afternoon.' },
    { at: 35.2, speaker: 'agent', text: 'Thanks, I have noted 3:30. Drive safe.' },
    { at: 38.4, speaker: 'driver', text: 'Thanks, bye.' },
  ],
  callResult: 'answered',
  terminationReason: 'Call ended by agent',
  analysis: {
    callSuccessful: 'success',
    title: 'Reefer temperature acknowledged',
    summary:
      'The agent reached {{driver_name}} about the reefer temperature violation and the trailer picture reminder. ' +
      'The driver acknowledged both, is lowering the reefer to 38 degrees, will send pictures in ten minutes and ' +
      'gave an ETA of about 3:30 PM.',
    dataCollection: {
      acknowledged: {
        value: true,
        rationale: 'The driver said he will set the reefer down to 38 right now.',
      },
      eta: { value: '3:30 PM', rationale: 'The driver said about two hours, around 3:30 this afternoon.' },
      photos_promised: { value: true, rationale: 'The driver will send the pictures in ten minutes.' },
      escalation_needed: { value: false, rationale: 'The driver agreed to fix the temperature.' },
      opt_out: { value: false, rationale: 'The driver did not ask to stop the calls.' },
    },
  },
  defaults: DEFAULT_VARIABLES,
};
