// Scenario: a client N events behind reconnects with its last seq; time until caught up, from the ring and the store.
import { uid } from '../../functions/webhooks/webhook.test-kit.ts';
import { RELAY_DEFAULTS } from '../../services/relay/relay-config.ts';
import type { BackendName } from '../../test/backends.ts';
import { cpuMeter } from '../process-cpu.ts';
import { resumeOnce } from '../load/resume-socket.ts';
import { SubscriberPool } from '../load/subscriber-pool.ts';
import { TwilioSender } from '../load/twilio-sender.ts';
import { startStack, type StackHandle } from '../stack/stack-handle.ts';
import { round, Samples } from '../stats.ts';
import type { ScenarioResult } from './scenario-result.ts';
import { storeGaps } from './segment-run.ts';

export interface ResumeOptions {
  /** Events the resuming client missed: it subscribes with `afterSeq = lastSeq - behind`. */
  behind: number;
  /** Resumes per variant, one after another, each on a new socket (enough of them for a p99). */
  reps: number;
}

/** Smoke size (`--smoke`): a few resumes of a short history, seconds on either backend. */
export const SMOKE_RESUME: ResumeOptions = { behind: 40, reps: 5 };

/** Webhooks in flight while the history is written (one call: they queue on its document anyway). */
const HISTORY_CONCURRENCY = 8;
/** Events stored beyond `behind`, so the resume starts in the middle of the history, not at its start. */
const HISTORY_EXTRA = 20;
const RESUME_TIMEOUT_MS = 30_000;

type Variant = 'ring' | 'store';

/**
 * The two ways the relay serves a resume, each on its own stack: `ring` with a ring larger than `behind` (the relay's
 * in-memory buffer covers the gap: no store read), `store` with the default ring when `behind` exceeds it (else half
 * of `behind`): the gap starts before the ring, so the relay reads it from the store.
 */
export async function resumeScenarios(backend: BackendName, o: ResumeOptions): Promise<ScenarioResult[]> {
  const ringCovering = Math.max(RELAY_DEFAULTS.ringSize, o.behind + HISTORY_EXTRA);
  const ringShort = o.behind > RELAY_DEFAULTS.ringSize ? RELAY_DEFAULTS.ringSize : Math.floor(o.behind / 2);
  // Both stacks start at once (starting one takes seconds); each is measured alone while the other idles.
  const start = (ringSize: number): Promise<StackHandle> =>
    startStack(backend, ringSize === RELAY_DEFAULTS.ringSize ? {} : { relay: { ringSize } });
  const stacks = await Promise.allSettled([start(ringCovering), start(ringShort)]);
  try {
    const [ring, store] = stacks.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    return [
      await measure(ring!, backend, 'ring', ringCovering, o),
      await measure(store!, backend, 'store', ringShort, o),
    ];
  } finally {
    await Promise.all(stacks.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  }
}

async function measure(
  stack: StackHandle,
  backend: BackendName,
  variant: Variant,
  ringSize: number,
  o: ResumeOptions,
): Promise<ScenarioResult> {
  const failures: string[] = [];
  const { callId, lastSeq, anchor } = await writeHistory(stack, o.behind + HISTORY_EXTRA, failures);
  const readsBefore = (await stack.feedStats(callId))?.storeReads ?? 0;
  const caughtUp = new Samples();
  const subscribed = new Samples();
  const afterSeq = lastSeq - o.behind;
  const cpu = cpuMeter(stack.pids);
  for (let rep = 0; rep < o.reps; rep++) {
    try {
      const run = await resumeOnce(stack.relayUrl, stack.token, callId, afterSeq, lastSeq, RESUME_TIMEOUT_MS);
      caughtUp.add(run.caughtUpMs);
      subscribed.add(run.subscribedMs);
      const problem = sequenceProblem(run.seqs, afterSeq, lastSeq);
      if (problem) failures.push(`resume ${rep}: ${problem}`);
      if (run.announcedLastSeq !== lastSeq)
        failures.push(
          `resume ${rep}: subscribed announced lastSeq ${run.announcedLastSeq}, expected ${lastSeq}`,
        );
    } catch (err) {
      failures.push(`resume ${rep}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const cpuSeconds = cpu.stop();
  const storeReads = ((await stack.feedStats(callId))?.storeReads ?? 0) - readsBefore;
  // The figure must measure the path it is named after. Every subscribe reads the call (org check, `lastSeq`): one
  // read per resume; a resume from the store adds at least one page of events.
  if (variant === 'ring' && storeReads > o.reps)
    failures.push(
      `ring variant: ${storeReads} store reads for ${o.reps} resumes: the ring did not cover them`,
    );
  if (variant === 'store' && storeReads < 2 * o.reps)
    failures.push(
      `store variant: ${storeReads} store reads for ${o.reps} resumes: not every one read events`,
    );
  failures.push(...anchor.check(new Map([[callId, lastSeq]])).problems, ...anchor.errors);
  anchor.close();
  const summary = caughtUp.summary();
  return {
    scenario: `resume-${variant}`,
    backend,
    params: { behind: o.behind, reps: o.reps, ringSize, historyEvents: lastSeq },
    figures: {
      'time to caught up ms': summary,
      'time to subscribed ms': subscribed.summary(),
      'events replayed per resume': o.behind,
      'store reads per resume (call + event pages)': round(storeReads / Math.max(1, o.reps), 2),
      'stack CPU ms per resume': round((cpuSeconds * 1000) / Math.max(1, o.reps), 2),
      'replayed events/s (mean)': round(summary.mean > 0 ? o.behind / (summary.mean / 1000) : 0, 0),
    },
    failures,
  };
}

/**
 * Creates one call with `events` segments (seq 1..events) while one live subscriber follows it, so the relay's feed
 * for the call is live and its ring holds the latest events; resolves once that subscriber has them all.
 */
async function writeHistory(
  stack: StackHandle,
  events: number,
  failures: string[],
): Promise<{ callId: string; lastSeq: number; anchor: SubscriberPool }> {
  const sender = new TwilioSender(stack.apiUrl, HISTORY_CONCURRENCY);
  try {
    const callSid = uid('CA');
    const first = await sender.sendSegment(callSid, 0, 'resume history 0');
    if (first.status !== 200 || first.callId === undefined)
      throw new Error(`first webhook: HTTP ${first.status}`);
    const callId = first.callId;
    const anchor = await SubscriberPool.open(
      stack.relayUrl,
      stack.token,
      { clients: 1, callIds: [callId], callsPerClient: 1 },
      () => {},
    );
    const seqs = [first.seq ?? 0];
    let next = 1;
    const worker = async (): Promise<void> => {
      while (next < events) {
        const i = next++;
        const result = await sender.sendSegment(callSid, i, `resume history ${i}`);
        if (result.status !== 200 || result.seq === undefined)
          failures.push(`history webhook ${i}: HTTP ${result.status} after ${result.attempts} attempt(s)`);
        else seqs.push(result.seq);
      }
    };
    await Promise.all(Array.from({ length: HISTORY_CONCURRENCY }, worker));
    failures.push(...storeGaps(new Map([[callId, seqs]])));
    const lastSeq = Math.max(...seqs);
    if (lastSeq !== events) throw new Error(`history ends at seq ${lastSeq}, expected ${events}`);
    if (!(await anchor.waitForAll(new Map([[callId, lastSeq]]), 60_000))) {
      anchor.close();
      throw new Error('the live subscriber did not receive the history within 60 s');
    }
    return { callId, lastSeq, anchor };
  } finally {
    sender.close();
  }
}

/** The frames of one resume must be exactly afterSeq+1..lastSeq, each once, in order. */
function sequenceProblem(seqs: readonly number[], afterSeq: number, lastSeq: number): string | undefined {
  for (let i = 0; i < seqs.length; i++) {
    if (seqs[i] !== afterSeq + 1 + i)
      return `event ${i} had seq ${seqs[i]}, expected ${afterSeq + 1 + i} (duplicate, gap or reorder)`;
  }
  if (seqs.length !== lastSeq - afterSeq) return `${seqs.length} events, expected ${lastSeq - afterSeq}`;
  return undefined;
}
