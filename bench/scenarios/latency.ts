// Scenario 1: webhook → subscriber latency at a fixed webhook rate, with an exactly-once check of every delivery.
import type { BackendName } from '../../test/backends.ts';
import { RELAY_DEFAULTS } from '../../services/relay/relay-config.ts';
import { startStack } from '../stack/stack-handle.ts';
import { round } from '../stats.ts';
import type { ScenarioResult } from './scenario-result.ts';
import { runSegmentLoad } from './segment-run.ts';

export interface LatencyOptions {
  clients: number;
  calls: number;
  /** Webhooks per second, spread round-robin over the calls. */
  rate: number;
  secs: number;
}

/** Smoke size (`--smoke`): one second of a low rate to a few clients. */
export const SMOKE_LATENCY: LatencyOptions = { clients: 3, calls: 2, rate: 20, secs: 1 };

export async function latencyScenario(backend: BackendName, o: LatencyOptions): Promise<ScenarioResult> {
  // Every client signs in as the one bench dispatcher: lift the per-user and per-org socket caps to the client count.
  const stack = await startStack(backend, {
    relay: {
      maxSocketsPerUser: o.clients,
      maxSocketsPerOrg: Math.max(o.clients, RELAY_DEFAULTS.maxSocketsPerOrg),
    },
  });
  try {
    const run = await runSegmentLoad(stack, {
      clients: o.clients,
      calls: o.calls,
      callsPerClient: o.calls,
      load: { kind: 'rate', perSec: o.rate, secs: o.secs },
      drainTimeoutMs: 30_000,
    });
    run.pool.close();
    run.sender.close();
    return {
      scenario: 'latency',
      backend,
      params: {
        clients: o.clients,
        calls: o.calls,
        subscriptions: run.subscriptions,
        rate: o.rate,
        secs: o.secs,
      },
      figures: {
        webhooks: run.webhooks,
        deliveries: run.deliveries,
        'webhook→subscriber ms': run.delivery,
        'webhook HTTP ms': run.http,
        'generator max lag ms': round(run.maxLagMs ?? 0),
        'HTTP statuses': run.statuses,
        retries: run.retries,
        reconnects: run.reconnects,
      },
      failures: run.failures,
    };
  } finally {
    await stack.stop();
  }
}
