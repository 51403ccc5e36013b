// The text `npm start` prints once everything is up: where to look, how to log in, a curl that triggers a call.
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import type { RunningStack } from './start-stack.ts';
import type { StackConfig } from './stack-config.ts';

/** A realistic trigger: the reefer-temperature violation and the trailer-pictures reminder. */
export const SAMPLE_CALL = {
  driverId: 'drv-1001',
  driverName: 'Sam Carter',
  phoneNumber: '+15551230001',
  violations: [
    { type: 'violation', description: 'Temperature is at 45 degrees but needs to be 38 degrees' },
    { type: 'reminder', description: 'Please send loaded trailer pictures' },
  ],
} as const;

export function stackSummary(stack: RunningStack, config: StackConfig): string {
  const { email, password } = stack.devUser;
  const login = JSON.stringify({ email, password });
  const providers =
    config.providers === 'simulated' && stack.simulator
      ? `simulated at ${stack.simulator.url} (speed ${config.env.SIMULATOR_SPEED}×, script "${config.env.SIMULATOR_SCRIPT}")`
      : 'live ElevenLabs + Twilio';
  const lines = [
    '',
    'callrelay is running',
    `  Dashboard   ${stack.dashboardUrl}`,
    `  Login       ${email} / ${password}${stack.devUser.created ? '' : ' (existing account)'}`,
    `  API         ${stack.apiUrl}`,
    `  Relay       ${stack.relayUrl}${RELAY_WS_PATH}`,
    `  Backend     ${config.backend}`,
    `  Providers   ${providers}`,
    '',
    '  Trigger a call from a shell:',
    `    TOKEN=$(curl -s -X POST ${stack.apiUrl}/auth/login -H 'content-type: application/json' -d '${login}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')`,
    `    curl -s -X POST ${stack.apiUrl}/driver_data/call-elevenlabs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '${JSON.stringify(SAMPLE_CALL)}'`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
  return lines.join('\n');
}
