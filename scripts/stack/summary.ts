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

/** Stands for the password in a login body that the shell fills from `$DEV_USER_PASSWORD`. */
const PASSWORD_SLOT = '@@DEV_USER_PASSWORD@@';

/**
 * The start banner. The dev password is printed only when it is the documented default (`DEV_USER_PASSWORD` unset):
 * a password the user chose stays out of the terminal and its scrollback, and the printed login reads it from the
 * shell's `$DEV_USER_PASSWORD` instead.
 */
export function stackSummary(stack: RunningStack, config: StackConfig): string {
  const { email, password } = stack.devUser;
  const printable = config.defaulted.includes('DEV_USER_PASSWORD');
  const shownPassword = printable ? password : '(your DEV_USER_PASSWORD)';
  const loginBody = printable
    ? `'${JSON.stringify({ email, password })}'`
    : `"${JSON.stringify({ email, password: PASSWORD_SLOT })
        .replace(/[\\"$`]/g, '\\$&')
        .replace(PASSWORD_SLOT, '$DEV_USER_PASSWORD')}"`;
  const providers =
    config.providers === 'simulated' && stack.simulatorUrl
      ? `simulated at ${stack.simulatorUrl} (speed ${config.env.SIMULATOR_SPEED}×, script "${config.env.SIMULATOR_SCRIPT}")`
      : 'live ElevenLabs + Twilio';
  const lines = [
    '',
    'callrelay is running',
    `  Dashboard   ${stack.dashboardUrl}`,
    `  Login       ${email} / ${shownPassword}${stack.devUser.created ? '' : ' (existing account)'}`,
    `  API         ${stack.apiUrl}`,
    `  Relay       ${stack.relayUrl}${RELAY_WS_PATH}`,
    `  Backend     ${config.backend}`,
    `  Providers   ${providers}`,
    '',
    '  Trigger a call from a shell:',
    `    TOKEN=$(curl -s -X POST ${stack.apiUrl}/auth/login -H 'content-type: application/json' -d ${loginBody} | sed -E 's/.*"token":"([^"]+)".*/\\1/')`,
    `    curl -s -X POST ${stack.apiUrl}/driver_data/call-elevenlabs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '${JSON.stringify(SAMPLE_CALL)}'`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
  return lines.join('\n');
}
