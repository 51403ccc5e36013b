// A call's last events lost on the bus still reach subscribers: the relay reconciles watched calls with the store.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../core/protocol/relay-messages.ts';
import { appendSegments, seedCall, startRelay, TestSocket, type RelayFixture } from './relay.test-kit.ts';

describe('relay reconcile', () => {
  let fx: RelayFixture | undefined;
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await fx?.close();
    fx = undefined;
  });

  async function lostTail(reconcileMs: number): Promise<number[]> {
    fx = await startRelay('memory', { reconcileMs });
    await seedCall(fx.backend, 'tail-1', { count: 3 });
    const socket = await TestSocket.open(fx.url, await fx.token());
    sockets.push(socket);
    socket.send({ type: 'subscribe', callId: 'tail-1' });
    await socket.waitFor((m) => m.type === 'subscribed');
    // Seqs 4 and 5 are stored but never reach the bus, and nothing follows them.
    await appendSegments(fx.backend, 'tail-1', 2);
    await new Promise((r) => setTimeout(r, 600));
    return socket.messages.filter((m): m is EventMessage => 'seq' in m).map((m) => m.seq);
  }

  it('delivers a call’s last events that never came over the bus, once, in order', async () => {
    expect(await lostTail(100)).toEqual([1, 2, 3, 4, 5]);
  });

  it('control: with reconciling off, the lost tail is not delivered (the check can fail)', async () => {
    expect(await lostTail(0)).toEqual([1, 2, 3]);
  });
});
