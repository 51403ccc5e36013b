// Script: the driver answers, starts replying, and the call drops mid-sentence.
import { DEFAULT_VARIABLES } from './defaults.ts';
import type { CallScript } from './script.ts';

export const cutShort: CallScript = {
  name: 'cut-short',
  ringAfter: 1,
  outcome: { kind: 'answered', answeredAfter: 5, answeredBy: 'human', hangupAfter: 17.2, hungUpBy: 'driver' },
  turns: [
    {
      at: 0.6,
      speaker: 'agent',
      text: 'Hi {{driver_name}}, this is Riley from dispatch. Do you have a minute?',
    },
    { at: 4.0, speaker: 'driver', text: 'Yeah, real quick.' },
    { at: 5.8, speaker: 'agent', text: 'Thanks. {{violations}}' },
    {
      at: 15.0,
      speaker: 'driver',
      text: 'Okay, about the reefer, I think the sensor is reading wrong because I checked it at the last stop',
      cutAfterWords: 6,
    },
  ],
  callResult: 'answered',
  terminationReason: 'Call ended by remote party',
  analysis: {
    callSuccessful: 'unknown',
    title: 'Call dropped',
    summary:
      'The agent started reviewing the items with {{driver_name}}, but the call dropped while the driver was ' +
      'answering about the reefer temperature.',
    dataCollection: {
      acknowledged: { value: null, rationale: 'The call ended before the driver confirmed.' },
      eta: { value: null, rationale: 'No ETA was given.' },
      photos_promised: { value: null, rationale: 'The reminder was not discussed.' },
      escalation_needed: { value: true, rationale: 'The call dropped mid-answer; follow up needed.' },
      opt_out: { value: false, rationale: 'The driver did not ask to stop the calls.' },
    },
  },
  defaults: DEFAULT_VARIABLES,
};
