// `npm run campaign:check` in small: one by-number campaign through the real local stack (memory backend), every
// driver's final state and the exact number of dials checked — so the command and the engine cannot drift apart.
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { runCampaignCheck } from '../../scripts/stack/campaign-check.ts';
import type { RunningStack } from '../../scripts/stack/start-stack.ts';
import { startTestStack } from './local-stack.ts';

let stack: RunningStack | undefined;
afterAll(async () => {
  await stack?.stop();
});

it('finishes a 20-driver campaign with every driver in its expected final state and exactly the expected dials', async () => {
  const twilioAuthToken = randomBytes(16).toString('hex');
  stack = await startTestStack({
    speed: 50,
    env: { SIMULATOR_SCRIPT: 'by-number', SCHEDULER_TICK_MS: '100', TWILIO_AUTH_TOKEN: twilioAuthToken },
  });
  const report = await runCampaignCheck(
    {
      apiUrl: stack.apiUrl,
      simulatorUrl: stack.simulatorUrl!,
      email: stack.devUser.email,
      password: stack.devUser.password,
      twilio: { accountSid: 'AC00000000000000000000000000000000', authToken: twilioAuthToken },
    },
    { drivers: 20, maxConcurrentCalls: 5, timeoutMs: 60_000 },
  );
  expect(report.problems).toEqual([]);
  expect(report.dials).toEqual({ seen: 34, expected: 34, byCampaign: 34 });
  expect(report.states).toEqual({ acknowledged: 8, unreachable: 6, not_acknowledged: 4, opted_out: 2 });
  expect(report.maxCalling).toBeLessThanOrEqual(5);
}, 120_000);
