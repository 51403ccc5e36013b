// Per-key serial dispatch: order kept under uneven handler latency, and a failed message blocks its key until redelivered.
import { describe, expect, it } from 'vitest';
import { OrderedDispatcher, type Delivery } from './ordered-dispatcher.ts';

interface Outcome {
  acked: string[];
  nacked: string[];
}

function delivery(id: string, key: string, outcome: Outcome): Delivery<string> {
  return { id, key, payload: id, ack: () => outcome.acked.push(id), nack: () => outcome.nacked.push(id) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OrderedDispatcher', () => {
  it('runs one message at a time per key, in arrival order, and keys in parallel', async () => {
    const seen: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const outcome: Outcome = { acked: [], nacked: [] };
    const dispatcher = new OrderedDispatcher<string>(async (id) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      // Earlier messages are slower: a concurrent runner would finish them last.
      await sleep(id.endsWith('1') ? 30 : 1);
      seen.push(id);
      running--;
    });
    for (const id of ['a1', 'b1', 'a2', 'b2', 'a3']) dispatcher.dispatch(delivery(id, id[0]!, outcome));
    await dispatcher.idle();
    expect(seen.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(seen.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(maxRunning).toBe(2);
    expect(outcome.acked).toHaveLength(5);
  });

  it('after a failure nacks the rest of the key until the failed message comes back', async () => {
    const outcome: Outcome = { acked: [], nacked: [] };
    let failOnce = true;
    const dispatcher = new OrderedDispatcher<string>(async (id) => {
      if (id === 'm1' && failOnce) {
        failOnce = false;
        throw new Error('transient');
      }
    });
    for (const id of ['m1', 'm2', 'm3']) dispatcher.dispatch(delivery(id, 'k', outcome));
    dispatcher.dispatch(delivery('other', 'k2', outcome));
    await dispatcher.idle();
    expect(outcome.nacked).toEqual(['m1', 'm2', 'm3']);
    expect(outcome.acked).toEqual(['other']);
    // Redelivery in order, as Pub/Sub does after a nack on an ordered key.
    for (const id of ['m1', 'm2', 'm3']) dispatcher.dispatch(delivery(id, 'k', outcome));
    await dispatcher.idle();
    expect(outcome.acked).toEqual(['other', 'm1', 'm2', 'm3']);
  });

  it('gives up waiting for a redelivery after blockMs', async () => {
    let now = 0;
    const outcome: Outcome = { acked: [], nacked: [] };
    const dispatcher = new OrderedDispatcher<string>(
      async (id) => {
        if (id === 'lost') throw new Error('fails');
      },
      { blockMs: 1000, now: () => now },
    );
    dispatcher.dispatch(delivery('lost', 'k', outcome));
    dispatcher.dispatch(delivery('next', 'k', outcome));
    await dispatcher.idle();
    expect(outcome.nacked).toEqual(['lost', 'next']);
    now = 1001;
    dispatcher.dispatch(delivery('next', 'k', outcome));
    await dispatcher.idle();
    expect(outcome.acked).toEqual(['next']);
  });

  it('runs unkeyed messages without blocking anything', async () => {
    const outcome: Outcome = { acked: [], nacked: [] };
    const dispatcher = new OrderedDispatcher<string>(async (id) => {
      if (id === 'bad') throw new Error('x');
    });
    dispatcher.dispatch(delivery('bad', '', outcome));
    dispatcher.dispatch(delivery('good', '', outcome));
    await sleep(5);
    expect(outcome).toEqual({ acked: ['good'], nacked: ['bad'] });
  });
});
