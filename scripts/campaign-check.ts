// `npm run campaign:check -- [--drivers 200] [--backend google|memory] [--speed 20] [--max-concurrent 20]`: starts the
// local stack with the simulator's by-number scripts, runs one campaign through it and checks every driver's final
// state and the exact number of dials. Exits 1 on any problem.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../core/support/log.ts';
import { runCampaignCheck } from './stack/campaign-check.ts';
import { killAllGroups } from './stack/child-process.ts';
import { parseStackConfig } from './stack/stack-config.ts';
import { startStack } from './stack/start-stack.ts';

const { values } = parseArgs({
  options: {
    drivers: { type: 'string', default: '200' },
    backend: { type: 'string', default: 'google' },
    speed: { type: 'string', default: '20' },
    'max-concurrent': { type: 'string', default: '20' },
    'timeout-secs': { type: 'string', default: '1200' },
  },
});
const drivers = Number(values.drivers);
const maxConcurrentCalls = Number(values['max-concurrent']);
if (!Number.isInteger(drivers) || drivers < 1 || drivers > 1000) throw new Error('--drivers must be 1..1000');
if (values.backend !== 'google' && values.backend !== 'memory')
  throw new Error('--backend must be google or memory');
process.on('exit', killAllGroups);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const [apiPort, relayPort, dashboardPort, simulatorPort, firestorePort, pubsubPort] = await Promise.all(
  Array.from({ length: 6 }, freePort),
);
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  CALLRELAY_BACKEND: values.backend,
  CALLRELAY_PROVIDERS: 'simulated',
  API_PORT: String(apiPort),
  RELAY_PORT: String(relayPort),
  DASHBOARD_PORT: String(dashboardPort),
  SIMULATOR_PORT: String(simulatorPort),
  FIRESTORE_EMULATOR_PORT: String(firestorePort),
  PUBSUB_EMULATOR_PORT: String(pubsubPort),
  SIMULATOR_SPEED: values.speed,
  SIMULATOR_SCRIPT: 'by-number',
  ORG_MAX_CONCURRENT_CALLS: String(Math.max(maxConcurrentCalls, 20)),
  LOG_LEVEL: 'ERROR',
  DEV_USER_PASSWORD: `pw-${randomBytes(6).toString('hex')}`,
  WEB_DIST_DIR: mkdtempSync(join(tmpdir(), 'callrelay-web-')),
};
const config = parseStackConfig(env);
const say = (line: string) => process.stdout.write(`[campaign-check] ${line}\n`);
say(`starting the stack (${config.backend}, simulator speed ${values.speed}, by-number scripts)`);
const stack = await startStack(config, createLogger({ level: 'ERROR' }));
let exitCode: number;
try {
  const report = await runCampaignCheck(
    {
      apiUrl: stack.apiUrl,
      simulatorUrl: stack.simulatorUrl!,
      email: stack.devUser.email,
      password: stack.devUser.password,
      twilio: { accountSid: config.env.TWILIO_ACCOUNT_SID!, authToken: config.env.TWILIO_AUTH_TOKEN! },
    },
    { drivers, maxConcurrentCalls, timeoutMs: Number(values['timeout-secs']) * 1000, log: say },
  );
  say(`finished in ${(report.elapsedMs / 1000).toFixed(1)} s`);
  say(`final states: ${JSON.stringify(report.states)}`);
  say(
    `dials: ${report.dials.seen} at the simulator, ${report.dials.byCampaign} attempts recorded, ${report.dials.expected} expected`,
  );
  say(`most calls in flight: ${report.maxCalling} (cap ${report.maxConcurrentCalls})`);
  for (const p of report.problems.slice(0, 20)) say(`PROBLEM: ${p}`);
  exitCode = report.problems.length === 0 ? 0 : 1;
  say(exitCode === 0 ? 'OK' : `${report.problems.length} problems`);
} finally {
  await stack.stop();
}
process.exit(exitCode);
