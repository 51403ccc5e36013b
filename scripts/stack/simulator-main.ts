// The provider simulator as its own process of `npm start`: wiring only, from the stack's environment.
import { createLogger } from '../../core/support/log.ts';
import { WEBHOOK_PATHS } from '../../functions/webhooks/webhook-deps.ts';
import { startProviderSimulator } from '../../simulator/index.ts';
import { runComponent } from './component-main.ts';
import { localOrigin, parseStackConfig } from './stack-config.ts';

const config = parseStackConfig(process.env, { gcloudInstalled: () => false });
const env = config.env;
const logger = createLogger({ base: { service: 'callrelay-local', component: 'provider-simulator' } });
const localApi = localOrigin('http', config.host, config.apiPort);
const publicBaseUrl = env.PUBLIC_BASE_URL ?? localApi;
await runComponent(logger, async () => {
  const simulator = await startProviderSimulator({
    port: config.simulatorPort,
    host: config.host,
    twilioAccountSid: env.TWILIO_ACCOUNT_SID ?? '',
    twilioAuthToken: env.TWILIO_AUTH_TOKEN ?? '',
    elevenlabsApiKey: env.ELEVENLABS_API_KEY ?? '',
    elevenlabsWebhookSecret: env.ELEVENLABS_WEBHOOK_SECRET ?? '',
    elevenlabsWebhookUrl: `${publicBaseUrl}${WEBHOOK_PATHS.elevenlabs}`,
    // Signatures cover the public URL; delivery goes to this machine's API even when PUBLIC_BASE_URL is a tunnel.
    deliverTo: (url) => (url.startsWith(publicBaseUrl) ? localApi + url.slice(publicBaseUrl.length) : url),
    speed: config.simulator.speed,
    script: config.simulator.script,
    logger,
  });
  return { url: simulator.url, close: () => simulator.close() };
});
