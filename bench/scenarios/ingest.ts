// Scenario 3: ingest throughput, signed webhooks/s with C in flight, on one call (contended) and spread over many.
import { uid } from '../../functions/webhooks/webhook.test-kit.ts';
import type { BackendName } from '../../test/backends.ts';
import { closedLoop } from '../load/pacing.ts';
import { cpuMeter } from '../process-cpu.ts';
import { TwilioSender } from '../load/twilio-sender.ts';
import { startStack, type StackHandle } from '../stack/stack-handle.ts';
import { round, Samples } from '../stats.ts';
import type { ScenarioResult } from './scenario-result.ts';
import { storeGaps } from './segment-run.ts';

export interface IngestOptions {
  concurrency: number;
  /** Calls of the many-calls variant (the other variant uses one). */
  calls: number;
  secs: number;
  /** Writes a .cpuprofile of the stack process to this directory when it exits (`--ingest-cpu-prof`). */
  cpuProfDir?: string;
}

/** Smoke size (`--smoke`): both variants for one second each. */
export const SMOKE_INGEST: IngestOptions = { concurrency: 2, calls: 3, secs: 1 };

/** Both variants on one stack, one after the other (relay running, no subscribers). */
export async function ingestScenarios(backend: BackendName, o: IngestOptions): Promise<ScenarioResult[]> {
  // Only when profiling: other options would keep smoke runs from sharing the default stack.
  const profile = o.cpuProfDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] } : {};
  const stack = await startStack(backend, profile);
  try {
    return [await ingestRun(stack, backend, 1, o), await ingestRun(stack, backend, o.calls, o)];
  } finally {
    await stack.stop();
  }
}

async function ingestRun(
  stack: StackHandle,
  backend: BackendName,
  calls: number,
  o: IngestOptions,
): Promise<ScenarioResult> {
  const sender = new TwilioSender(stack.apiUrl, o.concurrency);
  const callSids = Array.from({ length: calls }, () => uid('CA'));
  const nextSequenceId = new Array<number>(calls).fill(1);
  const storedSeqs = new Map<string, number[]>();
  const http = new Samples();
  const failures: string[] = [];
  let accepted = 0;
  const cpu = cpuMeter(stack.pids);
  const run = await closedLoop(o.concurrency, o.secs * 1000, async (i) => {
    const c = i % calls;
    const result = await sender.sendSegment(callSids[c]!, nextSequenceId[c]!++, `ingest ${i}`);
    http.add(result.durationMs);
    if (result.status !== 200 || result.callId === undefined || result.seq === undefined) {
      failures.push(`webhook ${i}: HTTP ${result.status} after ${result.attempts} attempt(s)`);
      return;
    }
    accepted++;
    const seqs = storedSeqs.get(result.callId) ?? [];
    seqs.push(result.seq);
    storedSeqs.set(result.callId, seqs);
  });
  const cpuSeconds = cpu.stop();
  sender.close();
  failures.push(...storeGaps(storedSeqs));
  if (storedSeqs.size !== calls)
    failures.push(`webhooks landed on ${storedSeqs.size} calls, expected ${calls}`);
  return {
    scenario: calls === 1 ? 'ingest-one-call' : 'ingest-many-calls',
    backend,
    params: { concurrency: o.concurrency, calls, secs: o.secs },
    figures: {
      webhooks: run.sent,
      accepted,
      'webhooks/s': round(accepted / (run.elapsedMs / 1000), 1),
      // Holds under CPU contention, unlike webhooks/s: what one webhook costs the stack process.
      'stack CPU s': round(cpuSeconds, 2),
      'webhooks per stack CPU-second': round(cpuSeconds > 0 ? accepted / cpuSeconds : 0, 0),
      'webhook HTTP ms': http.summary(),
      'HTTP statuses': Object.fromEntries(sender.statuses),
      retries: sender.retries,
    },
    failures,
  };
}
