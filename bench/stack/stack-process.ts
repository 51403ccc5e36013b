// Child process entry: one callrelay stack (local server with API + webhook routes, relay) on loopback, port 0.
import { randomBytes } from 'node:crypto';
import { createBackend } from '../../core/composition/backend.ts';
import type { Env } from '../../core/support/config.ts';
import { createLogger } from '../../core/support/log.ts';
import { parseFunctionsServerConfig, startFunctionsServer } from '../../functions/compose-server.ts';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { assertNever } from '../../core/support/assert-never.ts';
import { webhookConfig } from '../../functions/webhooks/webhook.test-kit.ts';
import { RELAY_DEFAULTS } from '../../services/relay/relay-config.ts';
import { composeRelay } from '../../services/relay/compose-relay.ts';
import { uniqueProjectId } from '../../test/backends.ts';
import type { ChildMessage, MemorySample, ParentMessage, StackSpec } from './stack-protocol.ts';

/** Providers are never called by the benchmarks (nothing dials); this port refuses connections. */
const UNUSED_PROVIDER_URL = 'http://127.0.0.1:9';

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(spec: StackSpec): Promise<void> {
  const logger = createLogger({ level: 'ERROR' });
  const projectId = uniqueProjectId('demo-bench');
  const env: Env = {
    CALLRELAY_BACKEND: spec.backend,
    GOOGLE_CLOUD_PROJECT: projectId,
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
    CALLRELAY_TOPIC: 'callrelay-events',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    PUBLIC_BASE_URL: webhookConfig.publicBaseUrl,
    ELEVENLABS_API_KEY: 'xi_bench',
    ELEVENLABS_AGENT_ID: 'agent_bench',
    ELEVENLABS_AGENT_PHONE_NUMBER_ID: 'phnum_bench',
    ELEVENLABS_BASE_URL: UNUSED_PROVIDER_URL,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000bench',
    TWILIO_AUTH_TOKEN: webhookConfig.twilioAuthToken,
    TWILIO_FROM_NUMBER: '+15550000001',
    TWILIO_API_BASE_URL: UNUSED_PROVIDER_URL,
    ELEVENLABS_WEBHOOK_SECRET: webhookConfig.elevenlabsWebhookSecret,
    DEFAULT_ORG: webhookConfig.defaultOrg,
  };
  const config = parseFunctionsServerConfig(env);
  const backend = await createBackend(config.api.backend, { logger });
  const server = await startFunctionsServer({ config, backend, logger, port: 0 });
  const api = server.deps;
  const { relay, port: relayPort } = await composeRelay({
    config: {
      ...RELAY_DEFAULTS,
      ...spec.relayLimits,
      port: 0,
      host: '127.0.0.1',
      instanceId: `bench${process.pid}`,
    },
    backend,
    auth: config.api.auth,
    logger,
  });

  const sample = (): MemorySample => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    return {
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      heapTotalBytes: m.heapTotal,
      externalBytes: m.external,
      connections: relay.connectionCount,
      feeds: relay.hub.feedCount,
    };
  };
  const stop = async (): Promise<void> => {
    await relay.close();
    await server.close(1000);
    await api.transcriptions.idle();
    await backend.close();
    send({ type: 'stopped' });
    process.disconnect?.();
  };
  process.on('message', (message: ParentMessage) => {
    switch (message.type) {
      case 'memory':
        return send({ type: 'memory', id: message.id, sample: sample() });
      case 'stop':
        return void stop().catch((err: unknown) => fail(err));
      default:
        return assertNever(message);
    }
  });
  // The runner going away (crash, Ctrl-C) must not leave this process behind.
  process.on('disconnect', () => process.exit(0));
  send({
    type: 'ready',
    apiUrl: server.url,
    relayUrl: `ws://127.0.0.1:${relayPort}${RELAY_WS_PATH}`,
    token: (await api.signToken({ sub: 'bench', org: webhookConfig.defaultOrg, role: 'dispatcher' }, 3600))
      .token,
    projectId,
    pid: process.pid,
  });
}

function fail(err: unknown): void {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
}

main(JSON.parse(process.argv[2] ?? '{}') as StackSpec).catch(fail);
