// Scenario: fan-in ceiling of one relay process that consumes the bus with no local subscriber (CPU per message).
import { PubSub } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { PubSubEventBus } from '../../core/adapters/google/pubsub-event-bus.ts';
import { createLogger } from '../../core/support/log.ts';
import type { BackendName } from '../../test/backends.ts';
import { uniqueProjectId } from '../../test/backends.ts';
import { MESSAGES_PER_CALL_SECOND } from '../fanin/call-mix.ts';
import { startFaninChild, type FaninChild } from '../fanin/fanin-child.ts';
import type { LoadStep } from '../fanin/fanin-protocol.ts';
import { publishStep } from '../fanin/publish-steps.ts';
import { cpuMeter } from '../process-cpu.ts';
import { round } from '../stats.ts';
import type { Figure, ScenarioResult } from './scenario-result.ts';

export interface FaninOptions {
  /** First step's bus messages/s; each next step doubles it, up to `maxRate`. */
  startRate: number;
  maxRate: number;
  secs: number;
  /** Orgs the calls belong to (the relay has no socket of any). */
  orgs: number;
  /** Writes the relay child's `.cpuprofile` there when set. */
  cpuProfDir?: string;
}

export const SMOKE_FANIN: FaninOptions = { startRate: 200, maxRate: 400, secs: 1, orgs: 4 };

/** The bar: one relay keeps up with the bus of this many concurrent calls. */
const GOAL_CALLS = 2000;
/** A step is kept up when the relay has consumed everything this long after the last publish settled. */
const DRAIN_LIMIT_MS = 2000;

interface StepResult {
  rate: number;
  published: number;
  consumed: number;
  errors: number;
  drainMs: number;
  relayCpuSecs: number;
  /** Wall time the CPU meter ran (publish + drain). */
  wallSecs: number;
  keptUp: boolean;
}

export async function faninScenario(backend: BackendName, o: FaninOptions): Promise<ScenarioResult> {
  const failures: string[] = [];
  const figures: Record<string, Figure> = {};
  const steps: StepResult[] = [];
  const baselineCpu = new Map<number, number>();
  const topic = 'callrelay-events';
  const projectId = uniqueProjectId('demo-fanin');
  const relay = await startFaninChild({ backend, projectId, topic, relay: true }, o.cpuProfDir);
  // Memory: the bus only works inside one process, so the child publishes; a second child without a relay
  // publishes the same steps, and the relay's cost is the difference.
  const baseline =
    backend === 'memory' ? await startFaninChild({ backend, projectId, topic, relay: false }) : undefined;
  const publisher = backend === 'google' ? googlePublisher(projectId, topic) : undefined;
  let idleCpuPerSec = 0;
  try {
    // What the relay spends with nothing published (streaming pull, timers): subtracted to get the marginal cost.
    const idle = cpuMeter([relay.pid]);
    const idleStart = performance.now();
    await new Promise((r) => setTimeout(r, o.secs * 1000));
    idleCpuPerSec = idle.stop() / ((performance.now() - idleStart) / 1000);
    for (let rate = o.startRate; rate <= o.maxRate; rate *= 2) {
      const step: LoadStep = {
        rate,
        secs: o.secs,
        calls: Math.max(1, Math.round(rate / MESSAGES_PER_CALL_SECOND)),
        orgs: o.orgs,
      };
      const result = await runStep(relay, step, publisher);
      steps.push(result);
      if (result.errors > 0) failures.push(`${rate}/s: ${result.errors} publishes failed`);
      if (baseline) {
        const meter = cpuMeter([baseline.pid]);
        await baseline.publish(step);
        baselineCpu.set(rate, meter.stop());
      }
      if (!result.keptUp) break;
    }
  } finally {
    await relay.stop();
    await baseline?.stop();
    await publisher?.close();
  }
  figures['relay idle CPU (s/s)'] = round(idleCpuPerSec, 3);
  const marginal = (s: StepResult): number =>
    s.relayCpuSecs - (baselineCpu.get(s.rate) ?? 0) - idleCpuPerSec * s.wallSecs;
  for (const s of steps) {
    const relayOnly = s.relayCpuSecs - (baselineCpu.get(s.rate) ?? 0);
    figures[`step ${s.rate}/s`] = {
      published: s.published,
      consumed: s.consumed,
      'drain ms': s.drainMs,
      'relay CPU s': round(s.relayCpuSecs, 2),
      ...(baselineCpu.has(s.rate) ? { 'publisher-only CPU s': round(baselineCpu.get(s.rate)!, 2) } : {}),
      'relay CPU µs/msg': round((relayOnly / Math.max(1, s.consumed)) * 1e6, 1),
      'marginal µs/msg': round((marginal(s) / Math.max(1, s.consumed)) * 1e6, 1),
      'kept up': s.keptUp ? 1 : 0,
    };
  }
  const kept = steps.filter((s) => s.keptUp);
  const top = kept.at(-1) ?? steps.at(-1);
  if (top) {
    const relayOnly = top.relayCpuSecs - (baselineCpu.get(top.rate) ?? 0);
    const usPerMessage = (relayOnly / Math.max(1, top.consumed)) * 1e6;
    figures['relay marginal CPU µs per consumed message'] = round(
      (marginal(top) / Math.max(1, top.consumed)) * 1e6,
      1,
    );
    const ceilingPerCore = usPerMessage > 0 ? 1e6 / usPerMessage : Infinity;
    const ceilingCalls = ceilingPerCore / MESSAGES_PER_CALL_SECOND;
    figures['max kept-up rate (msgs/s)'] = kept.at(-1)?.rate ?? 0;
    figures['relay CPU µs per consumed message'] = round(usPerMessage, 1);
    // The all-in cost (idle included) at the top step: what one core of a relay can absorb, conservatively.
    figures['ceiling, one core (msgs/s)'] = Math.round(ceilingPerCore);
    figures['ceiling, one core (concurrent calls)'] = Math.round(ceilingCalls);
    figures[`ceiling vs ${GOAL_CALLS} calls (goal ≥ 1)`] = {
      ratio: round(ceilingCalls / GOAL_CALLS, 2),
      goal: 1,
      met: ceilingCalls >= GOAL_CALLS ? 'yes' : 'no',
    };
  }
  return {
    scenario: 'fanin',
    backend,
    params: { startRate: o.startRate, maxRate: o.maxRate, secs: o.secs, orgs: o.orgs, 'msgs/call/s': 3.5 },
    figures,
    failures,
  };
}

async function runStep(
  relay: FaninChild,
  step: LoadStep,
  publisher: ReturnType<typeof googlePublisher> | undefined,
): Promise<StepResult> {
  const before = await relay.consumed();
  const meter = cpuMeter([relay.pid]);
  const startedAt = performance.now();
  const { published, errors } = publisher
    ? await publishStep(publisher.bus, step, randomUUID().slice(0, 8))
    : await relay.publish(step);
  const sentAt = performance.now();
  let consumed = (await relay.consumed()) - before;
  while (consumed < published && performance.now() - sentAt < DRAIN_LIMIT_MS) {
    await new Promise((r) => setTimeout(r, 25));
    consumed = (await relay.consumed()) - before;
  }
  const drainMs = round(performance.now() - sentAt, 0);
  // Let a slow relay finish what it holds so the next step starts from an empty queue (not counted above).
  const relayCpuSecs = meter.stop();
  const wallSecs = (performance.now() - startedAt) / 1000;
  const keptUp = consumed >= published;
  if (!keptUp) {
    const deadline = performance.now() + 30_000;
    while ((await relay.consumed()) - before < published && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
  }
  return { rate: step.rate, published, consumed, errors, drainMs, relayCpuSecs, wallSecs, keptUp };
}

/** The publisher process is this one (the load generator): its CPU is not counted. */
function googlePublisher(projectId: string, topic: string) {
  const pubsub = new PubSub({ projectId });
  const bus = new PubSubEventBus(pubsub, { topic, logger: createLogger({ level: 'ERROR' }) });
  return {
    bus,
    close: async () => {
      await bus.close();
      await pubsub.close();
    },
  };
}
