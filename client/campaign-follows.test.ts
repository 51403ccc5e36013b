// The client library's campaign follows against a real relay: terminal errors end a follow, `unavailable` is retried.
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend } from '../core/composition/backend.ts';
import type { CampaignStore } from '../core/ports/campaign-store.ts';
import type { ErrorMessage, LiveCampaignDriver } from '../core/protocol/relay-messages.ts';
import { AppError } from '../core/support/errors.ts';
import { quietLogger, startRelay, testBackendConfig } from '../services/relay/relay.test-kit.ts';
import { RelayClient } from './relay-client.ts';

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('RelayClient.followCampaign', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('ends a follow on not_found and retries one answered unavailable until the snapshot comes', async () => {
    const backend = await createBackend(testBackendConfig('memory'), { logger: quietLogger });
    let failures = 1;
    const real = backend.campaigns;
    const campaigns: CampaignStore = {
      create: (c) => real.create(c),
      get: async (id) => {
        if (id === 'cmp_flaky' && failures-- > 0) throw new AppError('store_unavailable', 'down');
        return real.get(id);
      },
      list: (org, page) => real.list(org, page),
      drivers: (id) => real.drivers(id),
      getDriver: (id, driverId) => real.getDriver(id, driverId),
      updateDriver: (id, driverId, update) => real.updateDriver(id, driverId, update),
      updateCampaign: (id, update) => real.updateCampaign(id, update),
    };
    const fx = await startRelay('memory', {}, { backend: { ...backend, campaigns } });
    cleanup.push(() => fx.close());
    const now = new Date().toISOString();
    for (const [campaignId, orgId] of [
      ['cmp_flaky', 'org-a'],
      ['cmp_theirs', 'org-b'],
    ] as const) {
      await real.create({
        campaignId,
        orgId,
        name: campaignId,
        startAt: now,
        callingWindow: { start: '08:00', end: '21:00' },
        retry: { maxAttempts: 1, backoffSecs: [60] },
        maxConcurrentCalls: 1,
        createdBy: 'disp-1',
        createdAt: now,
        drivers: [{ driverId: 'd1', driverName: 'Dana', phoneNumber: '+15550100', violations: [] }],
      });
    }
    const client = new RelayClient({
      url: fx.url,
      getToken: () => fx.token(),
      WebSocket,
      backoff: { initialMs: 20, maxMs: 100 },
    });
    cleanup.push(() => client.close());
    client.connect();

    const errors: ErrorMessage[] = [];
    const snapshots: LiveCampaignDriver[][] = [];
    client.followCampaign('cmp_theirs', {
      onSnapshot: () => snapshots.push([]),
      onUpdate: () => {},
      onError: (e) => errors.push(e),
    });
    client.followCampaign('cmp_flaky', {
      onSnapshot: (_c, drivers) => snapshots.push(drivers),
      onUpdate: () => {},
      onError: (e) => errors.push(e),
    });
    await until(() => snapshots.length === 1);
    expect(snapshots[0]!.map((d) => d.driverId)).toEqual(['d1']);
    expect(errors.map((e) => [e.code, e.campaignId]).sort()).toEqual([
      ['not_found', 'cmp_theirs'],
      ['unavailable', 'cmp_flaky'],
    ]);
    // The not_found follow is over: nothing asks for it again.
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toHaveLength(2);
    expect(fx.relay.hub.campaignFollowerCount('cmp_theirs')).toBe(0);
    expect(fx.relay.hub.campaignFollowerCount('cmp_flaky')).toBe(1);
  });
});
