// Script: what plays after a takeover's <Dial> — the dispatcher answers and talks with the driver, then hangs up.
import type { ScriptTurn } from './script.ts';

/** The scripted human conversation a `<Dial>` call update starts (times in script seconds after the update). */
export const TAKEOVER_CONVERSATION = {
  /** Seconds from the update until the dispatcher's phone answers (the `<Say>` notice plays first). */
  dispatcherAnswersAfter: 2,
  turns: [
    { at: 0.3, speaker: 'dispatcher', text: 'Hi {{driver_name}}, this is dispatch. I took over the call.' },
    { at: 3.2, speaker: 'driver', text: 'Hey, good to hear a person. The reefer unit keeps alarming.' },
    { at: 7.0, speaker: 'dispatcher', text: 'Understood. Pull over at the next safe spot and reset it.' },
    { at: 10.5, speaker: 'driver', text: 'Will do. I will call you back after the reset.' },
    { at: 13.5, speaker: 'dispatcher', text: 'Thanks, talk soon.' },
  ] satisfies ScriptTurn[],
  /** Seconds after the dispatcher answers when the call ends (the dispatcher hangs up). */
  hangupAfter: 16,
} as const;
