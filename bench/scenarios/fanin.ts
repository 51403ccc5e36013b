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
  /** Also run the relay decoding everything (the same-run before); off in smoke mode, where time is short. */
  compare?: boolean;
}

/** Smoke size: one 1 s step at 200 msgs/s (the fixed cost is starting the child processes). */
export const SMOKE_FANIN: FaninOptions = { startRate: 200, maxRate: 200, secs: 1, orgs: 4, compare: false };

/** The bar: one relay keeps up with the bus of this many concurrent calls. */
const GOAL_CALLS = 2000;
/** A step is kept up when the relay has consumed everything this long after the last publish settled. */
const DRAIN_LIMIT_MS = 2000;

/** The relay as it runs (interest check on), and the same relay decoding everything (the "before", same run). */
const VARIANTS = [
  { name: 'relay', interest: true },
  { name: 'relay decoding all', interest: false },
] as const;

interface Measured {
  published: number;
  consumed: number;
  drainMs: number;
  cpuSecs: number;
  wallSecs: number;
  keptUp: boolean;
}

export async function faninScenario(backend: BackendName, o: FaninOptions): Promise<ScenarioResult> {
  const failures: string[] = [];
  const figures: Record<string, Figure> = {};
  const variants = o.compare === false ? VARIANTS.slice(0, 1) : VARIANTS;
  const topic = 'callrelay-events';
  const projectId = uniqueProjectId('demo-fanin');
  const relays: FaninChild[] = [];
  const steps: Array<{ rate: number; results: Measured[]; baselineCpu: number }> = [];
  const idle: number[] = [];
  let baseline: FaninChild | undefined;
  let publisher: ReturnType<typeof googlePublisher> | undefined;
  try {
    // Memory: the bus only works inside one process, so each child publishes on its own bus; a child without a
    // relay publishes the same steps, and a relay's cost is the difference.
    const [started, base] = await Promise.all([
      Promise.all(
        variants.map((v) =>
          startFaninChild(
            { backend, projectId, topic, relay: true, interest: v.interest },
            v.interest ? o.cpuProfDir : undefined,
          ),
        ),
      ),
      backend === 'memory'
        ? startFaninChild({ backend, projectId, topic, relay: false, interest: false })
        : undefined,
    ]);
    relays.push(...started);
    baseline = base;
    if (backend === 'google') publisher = googlePublisher(projectId, topic);
    // What each relay spends with nothing published (streaming pull, timers): subtracted for the marginal cost.
    const meters = relays.map((r) => cpuMeter([r.pid]));
    const idleStart = performance.now();
    await new Promise((r) => setTimeout(r, o.secs * 1000));
    const idleSecs = (performance.now() - idleStart) / 1000;
    for (const m of meters) idle.push(m.stop() / idleSecs);

    for (let rate = o.startRate; rate <= o.maxRate; rate *= 2) {
      const step: LoadStep = {
        rate,
        secs: o.secs,
        calls: Math.max(1, Math.round(rate / MESSAGES_PER_CALL_SECOND)),
        orgs: o.orgs,
      };
      let results: Measured[];
      if (publisher) {
        const p = publisher;
        results = await measure(relays, () => publishStep(p.bus, step, randomUUID().slice(0, 8)), failures);
      } else {
        results = [];
        for (const relay of relays)
          results.push(...(await measure([relay], () => relay.publish(step), failures)));
      }
      let baselineCpu = 0;
      if (baseline) {
        const meter = cpuMeter([baseline.pid]);
        await baseline.publish(step);
        baselineCpu = meter.stop();
      }
      steps.push({ rate, results, baselineCpu });
      if (!results[0]!.keptUp) break;
    }
  } finally {
    await Promise.all(relays.map((r) => r.stop()));
    await baseline?.stop();
    await publisher?.close();
  }

  // /proc counts CPU in 10 ms ticks: round the difference to them so float noise never reads as a cost.
  const perMessage = (m: Measured, baselineCpu: number): number =>
    (round(m.cpuSecs - baselineCpu, 2) / Math.max(1, m.consumed)) * 1e6;
  variants.forEach((v, i) => (figures[`${v.name}: idle CPU (s/s)`] = round(idle[i] ?? 0, 3)));
  for (const s of steps) {
    variants.forEach((v, i) => {
      const m = s.results[i]!;
      figures[`${s.rate}/s ${v.name}`] = {
        published: m.published,
        consumed: m.consumed,
        'drain ms': m.drainMs,
        'CPU s': round(m.cpuSecs, 2),
        ...(backend === 'memory' ? { 'publisher-only CPU s': round(s.baselineCpu, 2) } : {}),
        // Below the tick resolution the subtraction can go negative: that reads as "no measurable cost".
        'µs/msg': round(Math.max(0, perMessage(m, s.baselineCpu)), 1),
        'marginal µs/msg': round(
          Math.max(0, perMessage({ ...m, cpuSecs: m.cpuSecs - (idle[i] ?? 0) * m.wallSecs }, s.baselineCpu)),
          1,
        ),
        'kept up': m.keptUp ? 1 : 0,
      };
    });
  }
  const kept = steps.filter((s) => s.results[0]!.keptUp);
  const top = kept.at(-1) ?? steps.at(-1);
  if (top) {
    figures['max kept-up rate (msgs/s)'] = kept.at(-1)?.rate ?? 0;
    figures['at step (msgs/s)'] = top.rate;
    const ceilings = variants.map((v, i) => {
      // CPU is read in 10 ms ticks: a cost below that over the whole step is below the resolution, not zero.
      const us = Math.max(perMessage(top.results[i]!, top.baselineCpu), 0);
      // All-in cost at the top step (idle included): what one core of a relay absorbs, conservatively.
      const calls = us > 0 ? 1e6 / us / MESSAGES_PER_CALL_SECOND : undefined;
      figures[`${v.name}: CPU µs per consumed message`] = round(us, 1);
      figures[`${v.name}: ceiling, one core (concurrent calls)`] =
        calls === undefined ? 'beyond CPU resolution' : Math.round(calls);
      return { us, calls };
    });
    const [now, before] = ceilings as [(typeof ceilings)[0], (typeof ceilings)[0] | undefined];
    if (before)
      figures['relay vs decoding all, CPU per message (goal ≤ 1)'] =
        before.us > 0
          ? { ratio: round(now.us / before.us, 2), goal: 1, met: now.us <= before.us ? 'yes' : 'no' }
          : { ratio: 'n/a (below CPU resolution)', goal: 1, met: 'n/a' };
    figures[`relay ceiling vs ${GOAL_CALLS} calls (goal ≥ 1)`] =
      now.calls === undefined
        ? { ratio: 'beyond CPU resolution', goal: 1, met: 'yes' }
        : { ratio: round(now.calls / GOAL_CALLS, 2), goal: 1, met: now.calls >= GOAL_CALLS ? 'yes' : 'no' };
  }
  return {
    scenario: 'fanin',
    backend,
    params: {
      startRate: o.startRate,
      maxRate: o.maxRate,
      secs: o.secs,
      orgs: o.orgs,
      'msgs/call/s': MESSAGES_PER_CALL_SECOND,
    },
    figures,
    failures,
  };
}

/** Runs `publish` once with every relay in `relays` metered; each must consume all of it within the drain limit. */
async function measure(
  relays: FaninChild[],
  publish: () => Promise<{ published: number; errors: number }>,
  failures: string[],
): Promise<Measured[]> {
  const before = await Promise.all(relays.map((r) => r.consumed()));
  const meters = relays.map((r) => cpuMeter([r.pid]));
  const startedAt = performance.now();
  const { published, errors } = await publish();
  if (errors > 0) failures.push(`${errors} of ${published} publishes failed`);
  const sentAt = performance.now();
  const consumed = async () =>
    (await Promise.all(relays.map((r) => r.consumed()))).map((c, i) => c - before[i]!);
  let counts = await consumed();
  const done: Array<number | undefined> = counts.map((c) => (c >= published ? 0 : undefined));
  while (done.includes(undefined) && performance.now() - sentAt < DRAIN_LIMIT_MS) {
    await new Promise((r) => setTimeout(r, 25));
    counts = await consumed();
    counts.forEach((c, i) => {
      if (done[i] === undefined && c >= published) done[i] = performance.now() - sentAt;
    });
  }
  const cpu = meters.map((m) => m.stop());
  const wallSecs = (performance.now() - startedAt) / 1000;
  // A relay that fell behind finishes what it holds before the next step (not counted above).
  const deadline = performance.now() + 30_000;
  while ((await consumed()).some((c) => c < published) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  return relays.map((_, i) => ({
    published,
    consumed: counts[i]!,
    drainMs: round(done[i] ?? performance.now() - sentAt, 0),
    cpuSecs: cpu[i]!,
    wallSecs,
    keptUp: done[i] !== undefined,
  }));
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
