// Open-loop publisher of the call mix at a fixed rate, shared by the runner (Pub/Sub) and the memory child.
import type { EventBus } from '../../core/ports/event-bus.ts';
import { CallMix } from './call-mix.ts';
import type { LoadStep } from './fanin-protocol.ts';

const TICK_MS = 5;

/** Publishes `step.rate` messages/s for `step.secs`, catching up each tick; resolves once every publish settled. */
export async function publishStep(
  bus: EventBus,
  step: LoadStep,
  runId: string,
): Promise<{ published: number; errors: number }> {
  const mix = new CallMix(step.calls, step.orgs, runId);
  const total = Math.round(step.rate * step.secs);
  const pending = new Set<Promise<void>>();
  let published = 0;
  let errors = 0;
  const start = performance.now();
  while (published < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * step.rate));
    while (published < due) {
      const p: Promise<void> = bus.publish(mix.next()).then(
        () => void pending.delete(p),
        () => {
          errors++;
          pending.delete(p);
        },
      );
      pending.add(p);
      published++;
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(pending);
  return { published, errors };
}
