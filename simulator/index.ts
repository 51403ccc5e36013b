// Provider simulator: a local ElevenLabs + Twilio that plays scripted driver calls (tests, `npm start`, benchmarks).
export { startProviderSimulator, DEFAULT_TRANSCRIPTION_WAIT_MS } from './server.ts';
export {
  BY_NUMBER_DIGITS,
  SCRIPTS,
  SCRIPT_NAMES,
  SCRIPT_SELECTIONS,
  scriptForNumber,
  type CallScript,
  type ScriptName,
  type ScriptSelection,
  type ScriptTurn,
} from './scripts/index.ts';
export type {
  ConversationStatus,
  DeliveryKind,
  DialMode,
  ProviderSimulator,
  ProviderSimulatorOptions,
  RecordedDelivery,
  RecordedRequest,
  RouteFault,
  ScriptContext,
  SimRoute,
  SimulatedCall,
  SimulatorFaults,
  TwilioCallStatus,
} from './types.ts';
