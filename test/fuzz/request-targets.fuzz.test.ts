// Every listening server survives hostile request lines, hosts and headers, and keeps serving.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createLogger } from '../../core/support/log.ts';
import { startApiStack, type ApiStack } from '../../functions/api/api.test-kit.ts';
import { startDashboardServer, type DashboardServer } from '../../scripts/stack/dashboard-server.ts';
import { startRelay, type RelayFixture } from '../../services/relay/relay.test-kit.ts';
import { assertSurvivesHostileRequests } from './hostile-http.ts';

const quiet = createLogger({ sink: () => {} });
const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: localhost${extra}`;

describe('hostile requests', () => {
  let stack: ApiStack;
  let dashboard: DashboardServer;
  let relay: RelayFixture;
  beforeAll(async () => {
    relay = await startRelay('memory');
    stack = await startApiStack({ backend: 'memory' });
    const dist = mkdtempSync(join(tmpdir(), 'callrelay-fuzz-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>callrelay</title>');
    dashboard = await startDashboardServer({
      distDir: dist,
      host: '127.0.0.1',
      port: 0,
      apiUrl: stack.url,
      relayUrl: 'ws://127.0.0.1:1',
      logger: quiet,
    });
  });
  afterAll(async () => {
    await relay?.close();
    await dashboard?.close();
    await stack?.close();
  });

  it('the functions’ local server (API, webhooks, health) answers each below 500 and keeps serving', async () => {
    await assertSurvivesHostileRequests(stack.url, { head: get('/healthz'), status: 200 });
  });

  it('the dashboard server and its /api proxy answer each below 500 and keep serving', async () => {
    await assertSurvivesHostileRequests(dashboard.url, { head: get('/config.json'), status: 200 });
    await assertSurvivesHostileRequests(
      dashboard.url,
      { head: get('/api/healthz'), status: 200 },
      { numRuns: 50 },
    );
  });

  it('the relay (plain requests and upgrades) answers each below 500 and keeps serving', async () => {
    await assertSurvivesHostileRequests(relay.url, { head: get('/healthz'), status: 200 });
  });

  it('the provider simulator answers each below 500 and keeps serving', async () => {
    const conversation = get('/v1/convai/conversations/conv_unknown', '\r\nxi-api-key: xi_sim_key');
    await assertSurvivesHostileRequests(stack.sim.url, { head: conversation, status: 404 });
  });
});
