// Scenario 2: fan-out throughput, many subscribers per call under closed-loop webhook load; relay memory around it.
import type { BackendName } from '../../test/backends.ts';
import type { MemorySample } from '../stack/stack-protocol.ts';
import { RELAY_DEFAULTS } from '../../services/relay/relay-config.ts';
import { startStack } from '../stack/stack-handle.ts';
import { mib, round } from '../stats.ts';
import type { ScenarioResult } from './scenario-result.ts';
import { runSegmentLoad } from './segment-run.ts';

export interface FanoutOptions {
  /** Each client follows one call; clients are spread evenly over the calls. */
  clients: number;
  calls: number;
  /** Webhooks in flight at once. */
  concurrency: number;
  secs: number;
}

/** Smoke size (`--smoke`): a handful of subscribers per call for one second. */
export const SMOKE_FANOUT: FanoutOptions = { clients: 10, calls: 2, concurrency: 2, secs: 1 };

export async function fanoutScenario(backend: BackendName, o: FanoutOptions): Promise<ScenarioResult> {
  // Every client signs in as the one bench dispatcher: lift the per-user and per-org socket caps to the client count.
  const stack = await startStack(backend, {
    relay: {
      maxSocketsPerUser: o.clients,
      maxSocketsPerOrg: Math.max(o.clients, RELAY_DEFAULTS.maxSocketsPerOrg),
    },
  });
  try {
    const idle = await stack.memory();
    const run = await runSegmentLoad(stack, {
      clients: o.clients,
      calls: o.calls,
      callsPerClient: 1,
      load: { kind: 'closed', concurrency: o.concurrency, secs: o.secs },
      drainTimeoutMs: 60_000,
    });
    const loaded = await stack.memory();
    run.pool.close();
    run.sender.close();
    const windowSecs = run.deliveryWindowMs / 1000;
    return {
      scenario: 'fanout',
      backend,
      params: { clients: o.clients, calls: o.calls, concurrency: o.concurrency, secs: o.secs },
      figures: {
        webhooks: run.webhooks,
        'webhooks/s': round(run.webhooks / (run.sendElapsedMs / 1000), 1),
        deliveries: run.deliveries,
        'deliveries/s': round(windowSecs > 0 ? run.deliveries / windowSecs : 0, 0),
        'webhook→subscriber ms': run.delivery,
        'webhook HTTP ms': run.http,
        'relay process before (idle)': memory(idle),
        'relay process after (subscribed, post-load)': memory(loaded),
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

function memory(sample: MemorySample): Record<string, number> {
  return {
    rssMiB: mib(sample.rssBytes),
    heapUsedMiB: mib(sample.heapUsedBytes),
    heapTotalMiB: mib(sample.heapTotalBytes),
    connections: sample.connections,
    feeds: sample.feeds,
  };
}
